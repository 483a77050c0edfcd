// Asking twice before something that loses work or records: the question, what it will do, the
// action in red and a way to keep things as they are.
import { Modal, Text } from "@shopify/polaris";

export function ConfirmDialog({
  question,
  confirmLabel,
  keepLabel,
  onConfirm,
  onKeep,
  children,
}: {
  question: string;
  confirmLabel: string;
  keepLabel: string;
  onConfirm: () => void;
  /** Closing the dialog any other way keeps things as they are too. */
  onKeep: () => void;
  /** What the action does, in a sentence or two. */
  children: string;
}) {
  return (
    <Modal
      open
      onClose={onKeep}
      title={question}
      primaryAction={{ content: confirmLabel, destructive: true, onAction: onConfirm }}
      secondaryActions={[{ content: keepLabel, onAction: onKeep }]}
    >
      <Modal.Section>
        <Text as="p">{children}</Text>
      </Modal.Section>
    </Modal>
  );
}
