import { useId, useState } from 'react';
import { useT } from '../i18n/i18n';

/** The retentions offered; one set elsewhere (the CLI, the environment) is offered too. */
const PRESETS: (number | null)[] = [null, 30, 90, 365];

/**
 * A retention in days (`retention_days`): null (the workspace's "forever", a conversation's
 * "as the workspace"), a preset number of days, or a custom one typed in. Erasing is for good,
 * so a custom value waits for its Apply.
 */
export function RetentionSelect(props: {
  testId: string;
  label: string;
  /** What null means here. */
  nullLabel: string;
  hint: string;
  value: number | null | undefined;
  disabled: boolean;
  onChange: (days: number | null) => void;
}) {
  const t = useT();
  const id = useId();
  const [custom, setCustom] = useState<string | null>(null);
  const options = props.value === undefined || props.value === null || PRESETS.includes(props.value) ? PRESETS : [...PRESETS, props.value];
  // <select> values are strings: "none" stands for null, "custom" opens the days field.
  const key = (v: number | null) => (v === null ? 'none' : String(v));
  const days = custom === null ? NaN : Number(custom);
  const valid = Number.isInteger(days) && days >= 1 && days <= 36_500;
  return (
    <div className="stack">
      <label className="field">
        <span>{props.label}</span>
        <select
          className="input"
          data-testid={props.testId}
          aria-describedby={`${id}-hint`}
          disabled={props.disabled}
          value={custom !== null ? 'custom' : props.value === undefined ? '' : key(props.value)}
          onChange={(e) => {
            const v = e.target.value;
            if (v === 'custom') return setCustom(props.value ? String(props.value) : '');
            setCustom(null);
            props.onChange(v === 'none' ? null : Number(v));
          }}
        >
          {options.map((v) => (
            <option key={key(v)} value={key(v)}>
              {v === null ? props.nullLabel : t('workspace.retention.days', { n: v })}
            </option>
          ))}
          <option value="custom">{t('workspace.retention.custom')}</option>
        </select>
      </label>
      {custom !== null && (
        <div className="row">
          <label className="field">
            <span>{t('workspace.retention.customDays')}</span>
            <input
              className="input"
              type="number"
              min={1}
              max={36500}
              step={1}
              data-testid={`${props.testId}-days`}
              value={custom}
              onChange={(e) => setCustom(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && valid) {
                  e.preventDefault();
                  setCustom(null);
                  props.onChange(days);
                }
              }}
            />
          </label>
          <button
            type="button"
            className="button"
            data-testid={`${props.testId}-apply`}
            disabled={props.disabled || !valid}
            onClick={() => {
              setCustom(null);
              props.onChange(days);
            }}
          >
            {t('workspace.retention.apply')}
          </button>
        </div>
      )}
      <p className="small muted" id={`${id}-hint`}>
        {props.hint}
      </p>
    </div>
  );
}
