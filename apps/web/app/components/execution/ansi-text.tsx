import Anser from "anser";
import type { CSSProperties } from "react";

/**
 * One line of output with its ANSI colours and styles (bold, italic, underline…), parsed by `anser`. Lines without
 * an escape sequence are shown as they are, without parsing. Other control sequences (cursor moves) are dropped.
 */
export function AnsiText({ text }: { text: string }) {
  if (!text.includes("\u001b")) return <>{text}</>;
  const parts = Anser.ansiToJson(text, { json: true, remove_empty: true });
  return (
    <>
      {parts.map((part, index) => {
        const style = styleOf(part);
        return style ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one line never move
          <span key={index} style={style}>
            {part.content}
          </span>
        ) : (
          part.content
        );
      })}
    </>
  );
}

function styleOf(part: Anser.AnserJsonEntry): CSSProperties | null {
  const style: CSSProperties = {};
  // anser has already swapped the colours of reversed text; 256-colour and true-colour values come as "r, g, b".
  if (part.fg) style.color = `rgb(${part.fg})`;
  if (part.bg) style.backgroundColor = `rgb(${part.bg})`;
  for (const decoration of part.decorations) {
    if (decoration === "bold") style.fontWeight = 700;
    else if (decoration === "dim") style.opacity = 0.7;
    else if (decoration === "italic") style.fontStyle = "italic";
    else if (decoration === "underline") style.textDecoration = "underline";
    else if (decoration === "strikethrough") style.textDecoration = "line-through";
    else if (decoration === "hidden") style.visibility = "hidden";
  }
  return Object.keys(style).length ? style : null;
}
