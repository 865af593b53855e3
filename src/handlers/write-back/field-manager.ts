/** The fieldManager of write-back's server-side applies, unless --field-manager says otherwise. */
export const DEFAULT_FIELD_MANAGER = 'cmwatch';
