// Just enough GraphQL for the cart simulator: which root fields a document asks for (with their
// aliases) and the values of their arguments, variables substituted. Nested selections are not
// interpreted: the simulator answers each root field with the whole object, and a client reads the
// fields it asked for (extra fields in JSON are harmless). Fragments at the root are not supported.

export type GraphqlValue =
  string | number | boolean | null | GraphqlValue[] | { [key: string]: GraphqlValue };

export interface RootField {
  /** The key the answer goes under: the alias when there is one. */
  key: string;
  name: string;
  args: Record<string, GraphqlValue>;
}

export interface ParsedOperation {
  kind: "query" | "mutation";
  fields: RootField[];
}

export class GraphqlSyntaxError extends Error {}

type Token = { kind: "punct" | "name" | "string" | "number" | "spread"; value: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === "#") {
      while (i < source.length && source[i] !== "\n") i++;
    } else if (/[\s,]/.test(c) || c === "\ufeff") {
      i++;
    } else if ("{}()[]:$!=@|&".includes(c)) {
      tokens.push({ kind: "punct", value: c });
      i++;
    } else if (source.startsWith("...", i)) {
      tokens.push({ kind: "spread", value: "..." });
      i += 3;
    } else if (c === '"') {
      if (source.startsWith('"""', i)) {
        const end = source.indexOf('"""', i + 3);
        if (end < 0) throw new GraphqlSyntaxError("unterminated block string");
        tokens.push({ kind: "string", value: source.slice(i + 3, end) });
        i = end + 3;
      } else {
        let j = i + 1;
        let text = "";
        while (j < source.length && source[j] !== '"') {
          if (source[j] === "\\") {
            const escaped = source.slice(j, j + 6);
            const decoded = JSON.parse(
              `"${escaped.startsWith("\\u") ? escaped : escaped.slice(0, 2)}"`,
            ) as string;
            text += decoded;
            j += escaped.startsWith("\\u") ? 6 : 2;
          } else {
            text += source[j];
            j++;
          }
        }
        if (j >= source.length) throw new GraphqlSyntaxError("unterminated string");
        tokens.push({ kind: "string", value: text });
        i = j + 1;
      }
    } else if (/[-0-9]/.test(c)) {
      const match = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(source.slice(i));
      if (!match) throw new GraphqlSyntaxError(`unexpected "${c}"`);
      tokens.push({ kind: "number", value: match[0] });
      i += match[0].length;
    } else if (/[_A-Za-z]/.test(c)) {
      const match = /^[_A-Za-z][_0-9A-Za-z]*/.exec(source.slice(i))!;
      tokens.push({ kind: "name", value: match[0] });
      i += match[0].length;
    } else {
      throw new GraphqlSyntaxError(`unexpected character "${c}"`);
    }
  }
  return tokens;
}

export function parseOperation(
  source: string,
  variables: Record<string, unknown> = {},
): ParsedOperation {
  const tokens = tokenize(source);
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => {
    const token = tokens[pos++];
    if (!token) throw new GraphqlSyntaxError("unexpected end of document");
    return token;
  };
  const expect = (value: string) => {
    const token = next();
    if (token.value !== value) {
      throw new GraphqlSyntaxError(`expected "${value}", found "${token.value}"`);
    }
  };
  const isPunct = (value: string) => peek()?.kind === "punct" && peek()?.value === value;

  const skipBalanced = (open: string, close: string) => {
    let depth = 0;
    do {
      const token = next();
      if (token.kind === "punct" && token.value === open) depth++;
      if (token.kind === "punct" && token.value === close) depth--;
    } while (depth > 0);
  };

  const value = (): GraphqlValue => {
    const token = next();
    if (token.kind === "punct" && token.value === "$") {
      const name = next().value;
      return (variables[name] ?? null) as GraphqlValue;
    }
    if (token.kind === "string") return token.value;
    if (token.kind === "number") return Number(token.value);
    if (token.kind === "name") {
      if (token.value === "true") return true;
      if (token.value === "false") return false;
      if (token.value === "null") return null;
      return token.value; // an enum value
    }
    if (token.value === "[") {
      const list: GraphqlValue[] = [];
      while (!isPunct("]")) list.push(value());
      expect("]");
      return list;
    }
    if (token.value === "{") {
      const object: Record<string, GraphqlValue> = {};
      while (!isPunct("}")) {
        const key = next().value;
        expect(":");
        object[key] = value();
      }
      expect("}");
      return object;
    }
    throw new GraphqlSyntaxError(`unexpected "${token.value}" in a value`);
  };

  // Operation header: `query Name($a: T = default) @directive`, or a bare selection set.
  let kind: ParsedOperation["kind"] = "query";
  if (peek()?.kind === "name") {
    const word = next().value;
    if (word !== "query" && word !== "mutation") {
      throw new GraphqlSyntaxError(`operation "${word}" is not supported`);
    }
    kind = word;
    if (peek()?.kind === "name") next();
    if (isPunct("(")) skipBalanced("(", ")");
    while (isPunct("@")) {
      next();
      next();
      if (isPunct("(")) skipBalanced("(", ")");
    }
  }
  expect("{");
  const fields: RootField[] = [];
  while (!isPunct("}")) {
    if (peek()?.kind === "spread")
      throw new GraphqlSyntaxError("fragments at the root are not supported");
    let name = next().value;
    const key = name;
    if (isPunct(":")) {
      next();
      name = next().value;
    }
    const args: Record<string, GraphqlValue> = {};
    if (isPunct("(")) {
      next();
      while (!isPunct(")")) {
        const argName = next().value;
        expect(":");
        args[argName] = value();
      }
      expect(")");
    }
    while (isPunct("@")) {
      next();
      next();
      if (isPunct("(")) skipBalanced("(", ")");
    }
    if (isPunct("{")) skipBalanced("{", "}");
    fields.push({ key, name, args });
  }
  expect("}");
  return { kind, fields };
}
