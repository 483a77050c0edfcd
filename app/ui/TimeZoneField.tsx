// The shop's time zone, typed or picked from a searchable list of the zones the app knows (see
// app/shops/time-zones.ts). What the field holds is what the form sends; the save refuses a zone
// that is not in the list.
import { Autocomplete } from "@shopify/polaris";
import { useMemo, useState } from "react";
import { timeZoneNames } from "~/shops/time-zones";

/** Enough matches to choose from without scrolling a list of four hundred. */
const SHOWN = 50;

export function TimeZoneField({
  name,
  initial,
  helpText,
  error,
}: {
  name: string;
  initial: string;
  helpText?: string;
  error?: string;
}) {
  const [value, setValue] = useState(initial);
  const [filter, setFilter] = useState<string | null>(null);
  const options = useMemo(() => {
    // Until the owner types, the whole list is offered (they may scroll or type).
    const words = (filter ?? "")
      .toLowerCase()
      .replace(/[\s_]+/g, " ")
      .trim()
      .split(" ");
    return timeZoneNames()
      .filter((zone) => {
        const text = zone.toLowerCase().replace(/_/g, " ");
        return words.every((w) => text.includes(w));
      })
      .slice(0, SHOWN)
      .map((zone) => ({ value: zone, label: zone.replace(/_/g, " ") }));
  }, [filter]);

  return (
    <Autocomplete
      options={options}
      selected={[value]}
      onSelect={([zone]) => {
        if (!zone) return;
        setValue(zone);
        setFilter(null);
      }}
      textField={
        <Autocomplete.TextField
          label="Time zone"
          name={name}
          value={value}
          onChange={(typed) => {
            setValue(typed);
            setFilter(typed);
          }}
          helpText={helpText}
          error={error}
          placeholder="Search by city or region, such as Berlin"
          autoComplete="off"
        />
      }
    />
  );
}
