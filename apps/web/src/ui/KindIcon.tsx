import type { NotificationKind } from '@caucus/schema';

/** One glyph per notification kind, with its name for screen readers. */
const ICONS: Record<NotificationKind, { glyph: string; label: string }> = {
  info: { glyph: 'ℹ', label: 'Info' },
  success: { glyph: '✓', label: 'Success' },
  warning: { glyph: '⚠', label: 'Warning' },
  error: { glyph: '✕', label: 'Error' },
  checkpoint: { glyph: '⚑', label: 'Checkpoint' },
};

export function KindIcon(props: { kind: NotificationKind }) {
  const icon = () => ICONS[props.kind] ?? ICONS.info;
  return (
    <span class={`kind kind-${props.kind}`} role="img" aria-label={icon().label}>
      {icon().glyph}
    </span>
  );
}
