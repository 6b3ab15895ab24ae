-- device_types.sql — the built-in device type registry (SPEC §4 device-types).
--
-- station-migrate runs this file after the migrations on every run, so it must stay one
-- idempotent statement: it inserts the four built-in types, rewrites them when this file
-- changes, and marks them built_in (read-only through PUT /api/device-types/:id).
-- A row already equal to its definition is left alone, so updated_at moves only when a
-- definition really changes. Command params list required parameter names; a name that
-- is also a capability key takes that capability's type and range (docs/devices.md).
INSERT INTO device_types AS t (id, name, category, capabilities, commands, events, periodic, built_in)
VALUES
    ('climate', 'Climate sensor', 'sensor',
     '[{"key":"temperature","type":"number","unit":"°C"},
       {"key":"humidity","type":"number","unit":"%"},
       {"key":"pressure","type":"number","unit":"hPa"}]',
     '[]',
     '[]',
     true, true),
    ('pir', 'Motion sensor', 'sensor',
     '[{"key":"motion","type":"boolean"}]',
     '[]',
     '["motion_detected","motion_cleared"]',
     false, true),
    ('switch-pir', 'Switch with motion sensor', 'sensor',
     '[{"key":"motion","type":"boolean"},{"key":"button","type":"boolean"}]',
     '[]',
     '["button_press","motion_detected","motion_cleared"]',
     false, true),
    ('light', 'Light', 'actuator',
     '[{"key":"on","type":"boolean"},
       {"key":"brightness","type":"number","unit":"%","min":0,"max":100}]',
     '[{"action":"toggle"},
       {"action":"set_brightness","params":["brightness"]},
       {"action":"turn_on"},
       {"action":"turn_off"}]',
     '["turned_on","turned_off"]',
     false, true)
ON CONFLICT (id) DO UPDATE SET
    name = EXCLUDED.name,
    category = EXCLUDED.category,
    capabilities = EXCLUDED.capabilities,
    commands = EXCLUDED.commands,
    events = EXCLUDED.events,
    periodic = EXCLUDED.periodic,
    built_in = true,
    updated_at = now()
WHERE (t.name, t.category, t.capabilities, t.commands, t.events, t.periodic, t.built_in)
      IS DISTINCT FROM
      (EXCLUDED.name, EXCLUDED.category, EXCLUDED.capabilities, EXCLUDED.commands,
       EXCLUDED.events, EXCLUDED.periodic, true);
