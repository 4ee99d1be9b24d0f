import { useState } from "react";
import { Button } from "../../ui/button.tsx";
import { Dialog } from "../../ui/dialog.tsx";
import { TextareaField } from "../../ui/textarea-field.tsx";

/** Asks for an optional "what changed" note, saved with the version. */
export function SaveJobDialog({
  open,
  isNew,
  busy,
  onCancel,
  onSave,
}: {
  open: boolean;
  isNew: boolean;
  busy: boolean;
  onCancel: () => void;
  onSave: (message: string) => void;
}) {
  const [message, setMessage] = useState("");
  return (
    <Dialog
      open={open}
      onClose={onCancel}
      title={isNew ? "Create the job" : "Save a new version"}
      description="Optional: say what changed. It is shown in the job's versions."
    >
      <form
        className="space-y-4"
        onSubmit={(event) => {
          event.preventDefault();
          onSave(message);
        }}
      >
        <TextareaField
          label="What changed"
          name="message"
          rows={3}
          maxLength={500}
          value={message}
          onChange={(event) => setMessage(event.target.value)}
          placeholder={isNew ? "First version" : "Added a health check step"}
        />
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" isPending={busy} pendingLabel="Saving…">
            {isNew ? "Create job" : "Save version"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
