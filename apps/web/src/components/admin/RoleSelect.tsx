import { ROLES, type Role, roleDescription } from "../../lib/access";

interface RoleSelectProps {
  id?: string;
  value: Role;
  onChange: (role: Role) => void;
  /** The accessible name in tables, where there is no visible label. */
  label?: string;
  disabled?: boolean;
  title?: string;
}

/** The three roles, each explained (from the domain's table) on hover and to screen readers. */
export function RoleSelect({ id, value, onChange, label, disabled, title }: RoleSelectProps) {
  return (
    <select
      id={id}
      value={value}
      aria-label={label}
      disabled={disabled}
      title={title ?? roleDescription(value)}
      onChange={(event) => onChange(event.target.value as Role)}
    >
      {ROLES.map((role) => (
        <option key={role} value={role} title={roleDescription(role)}>
          {role}
        </option>
      ))}
    </select>
  );
}
