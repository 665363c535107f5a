import React from 'react';

import { FormErrors } from '../../model/submit';

/** Props of {@link Field}. */
export interface IFieldProps {
  /** The visible label. */
  label: string;
  /** The request field path the input edits; its error shows beside it. */
  field: string;
  /** Errors of the form, by field path. */
  errors: FormErrors;
  /** Help shown under the input. */
  hint?: string;
  /** The input. */
  children: React.ReactNode;
}

/** A labelled field with its error and hint. */
export function Field(props: IFieldProps): JSX.Element {
  const error = props.errors[props.field];
  return (
    <label
      className={`jp-laketahoe-SubmitForm-field${error ? ' jp-laketahoe-mod-invalid' : ''}`}
      data-field={props.field}
    >
      <span className="jp-laketahoe-SubmitForm-label">{props.label}</span>
      {props.children}
      {error && (
        <span className="jp-laketahoe-SubmitForm-error" role="alert">
          {error}
        </span>
      )}
      {props.hint && (
        <span className="jp-laketahoe-SubmitForm-hint">{props.hint}</span>
      )}
    </label>
  );
}

/** Props of {@link TextField}: a {@link Field} around one text input. */
export interface ITextFieldProps extends Omit<IFieldProps, 'children'> {
  /** The input's name (a UI-test hook). */
  name: string;
  /** The text. */
  value: string;
  /** Called with the new text. */
  onChange: (value: string) => void;
  /** Extra class of the input. */
  className?: string;
  /** Keyboard hint for numbers. */
  inputMode?: 'numeric' | 'decimal';
  /** Shown while empty. */
  placeholder?: string;
  /** False for ids and names, which are not words. */
  spellCheck?: boolean;
  /** Longest text accepted. */
  maxLength?: number;
  /** Id of a datalist of suggestions. */
  list?: string;
}

/** A labelled text input with its error and hint. */
export function TextField(props: ITextFieldProps): JSX.Element {
  const { label, field, errors, hint, onChange, className, ...input } = props;
  return (
    <Field label={label} field={field} errors={errors} hint={hint}>
      <input
        className={className ? `jp-mod-styled ${className}` : 'jp-mod-styled'}
        {...input}
        onChange={e => onChange(e.target.value)}
      />
    </Field>
  );
}

/** A checkbox with its label, as the form's on/off options are shown. */
export function Checkbox(props: {
  name: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  children: React.ReactNode;
}): JSX.Element {
  return (
    <label className="jp-laketahoe-SubmitForm-checkbox">
      <input
        type="checkbox"
        name={props.name}
        checked={props.checked}
        onChange={e => props.onChange(e.target.checked)}
      />
      {props.children}
    </label>
  );
}

/** Props of {@link SelectField}: a {@link Field} around one choice. */
export interface ISelectFieldProps<T extends string>
  extends Omit<IFieldProps, 'children'> {
  /** The select's name (a UI-test hook). */
  name: string;
  /** The chosen value. */
  value: T;
  /** The choices, in the order shown. */
  options: readonly { value: T; label: string }[];
  /** Called with the new choice. */
  onChange: (value: T) => void;
}

/** A labelled choice with its error and hint. */
export function SelectField<T extends string>(
  props: ISelectFieldProps<T>
): JSX.Element {
  const { label, field, errors, hint, name, value, options, onChange } = props;
  return (
    <Field label={label} field={field} errors={errors} hint={hint}>
      <select
        className="jp-mod-styled"
        name={name}
        value={value}
        onChange={e => onChange(e.target.value as T)}
      >
        {options.map(option => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </Field>
  );
}
