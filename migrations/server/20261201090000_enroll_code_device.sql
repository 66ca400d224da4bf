-- A re-join code: bound to an existing device of the pharmacy (a counter whose credential
-- was lost), it can only be used by that device id and replaces its credential, keeping
-- everything else (its changes, audit chain, tickets). NULL: a code for a new device.
ALTER TABLE enrollment_codes ADD COLUMN device_id uuid;
