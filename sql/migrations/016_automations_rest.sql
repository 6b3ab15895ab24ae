-- 016_automations_rest.sql — making a kit from a preset and its devices, in one place for
-- POST /api/kits and for auto-apply on handshakes (SPEC §4 kits; docs/automations.md).
--
-- kit_apply() makes the kit and its published automations, once per (preset, devices):
-- the UNIQUE (preset_id, devices_hash) of 015 decides, so whichever transaction inserts
-- first wins and the others make nothing (ON CONFLICT DO NOTHING waits for the winner's
-- commit). kit_auto_apply() is what station-mqttd calls in the transaction that records a
-- handshake. The callers check roles and types first (REST answers 400 naming the role);
-- these functions trust their input only as far as the schema's constraints go.

-- A kit of an auto-apply preset deleted by a person is remembered here, so that the next
-- handshake of the same devices does not make it again. POST /api/kits still may.
CREATE TABLE kit_dismissals (
    preset_id     text NOT NULL REFERENCES kit_presets (id) ON DELETE CASCADE,
    devices_hash  text NOT NULL CHECK (devices_hash ~ '^[0-9a-f]{64}$'),
    dismissed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (preset_id, devices_hash)
);

-- devices_hash: hex SHA-256 of the kit's device ids — the values of devices
-- ({roleKey: deviceId}) as lower-case UUID text, sorted bytewise, joined by "," with no
-- space and nothing after the last — so one set of devices has one hash, whatever roles
-- they fill and in whatever order they were given.
CREATE FUNCTION kit_devices_hash(devices jsonb) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT encode(sha256(convert_to(COALESCE(string_agg(lower(v), ',' ORDER BY lower(v) COLLATE "C"), ''), 'UTF8')), 'hex')
    FROM jsonb_each_text(devices) AS e(k, v)
$$;

-- A template with every string that is exactly "$<roleKey>" of a filled role replaced by
-- that role's device id; other values as they are.
CREATE FUNCTION kit_fill_roles(value jsonb, devices jsonb) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    CASE jsonb_typeof(value)
    WHEN 'string' THEN
        IF left(value #>> '{}', 1) = '$' AND devices ? substr(value #>> '{}', 2) THEN
            RETURN devices -> substr(value #>> '{}', 2);
        END IF;
        RETURN value;
    WHEN 'array' THEN
        RETURN COALESCE((SELECT jsonb_agg(kit_fill_roles(e, devices) ORDER BY i)
                         FROM jsonb_array_elements(value) WITH ORDINALITY AS a(e, i)), '[]');
    WHEN 'object' THEN
        RETURN COALESCE((SELECT jsonb_object_agg(k, kit_fill_roles(v, devices))
                         FROM jsonb_each(value) AS o(k, v)), '{}');
    ELSE
        RETURN value;
    END CASE;
END $$;

-- Makes the kit of preset p_preset_id with p_devices ({roleKey: deviceId}) and one
-- published automation per template; announces kit.created on station_events (its
-- payload is bounded: a preset has at most 16 roles). Returns the new kit's id, or NULL
-- when this preset already has a kit of these devices (nothing is made).
CREATE FUNCTION kit_apply(p_preset_id text, p_devices jsonb, p_kit_tag text) RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
    preset kit_presets%ROWTYPE;
    kit uuid;
    tpl jsonb;
BEGIN
    SELECT * INTO preset FROM kit_presets WHERE id = p_preset_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'kit_apply: no preset %', p_preset_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    INSERT INTO device_kits (preset_id, name, devices, devices_hash, kit_tag)
    VALUES (p_preset_id, preset.name, p_devices, kit_devices_hash(p_devices), p_kit_tag)
    ON CONFLICT (preset_id, devices_hash) DO NOTHING
    RETURNING id INTO kit;
    IF kit IS NULL THEN
        RETURN NULL;
    END IF;
    FOR tpl IN SELECT t FROM jsonb_array_elements(preset.automation_templates) AS a(t) LOOP
        INSERT INTO automations (name, status, flow, kit_id, published_at)
        VALUES (tpl ->> 'name', 'published',
                jsonb_build_object('nodes', kit_fill_roles(COALESCE(tpl -> 'nodes', '[]'), p_devices),
                                   'edges', kit_fill_roles(COALESCE(tpl -> 'edges', '[]'), p_devices)),
                kit, now());
    END LOOP;
    PERFORM pg_notify('station_events', jsonb_build_object(
        'type', 'kit.created',
        'data', jsonb_build_object('id', kit, 'presetId', p_preset_id, 'name', preset.name,
                                   'devices', p_devices, 'kitTag', p_kit_tag),
        'ts', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))::text);
    RETURN kit;
END $$;

-- Auto-apply (SPEC §4 kits): the devices carrying kit tag p_kit_tag (a tag is recorded
-- only by a handshake, so each of them has handshaken) make a kit of every auto-apply
-- preset whose roles they fill exactly — as many devices as roles, each role filled by
-- a device of its type (roles in their order, devices oldest first). A kit that exists
-- or was dismissed is not made again. Returns the ids of the kits made. station-mqttd
-- calls it in the transaction that records a handshake carrying a kit tag.
CREATE FUNCTION kit_auto_apply(p_kit_tag text) RETURNS SETOF uuid LANGUAGE plpgsql AS $$
DECLARE
    tagged integer;
    preset record;
    role jsonb;
    device uuid;
    used uuid[];
    filled jsonb;
    kit uuid;
BEGIN
    IF p_kit_tag IS NULL THEN
        RETURN;
    END IF;
    SELECT count(*) INTO tagged FROM devices d WHERE d.kit_tag = p_kit_tag;
    FOR preset IN SELECT p.id, p.roles FROM kit_presets p
                  WHERE p.auto_apply AND jsonb_array_length(p.roles) = tagged ORDER BY p.id LOOP
        used := '{}';
        filled := '{}';
        FOR role IN SELECT r FROM jsonb_array_elements(preset.roles) AS a(r) LOOP
            SELECT d.id INTO device FROM devices d
            WHERE d.kit_tag = p_kit_tag AND d.type = role ->> 'type' AND NOT d.id = ANY (used)
            ORDER BY d.created_at, d.id LIMIT 1;
            EXIT WHEN device IS NULL;
            used := used || device;
            filled := filled || jsonb_build_object(role ->> 'key', device);
        END LOOP;
        CONTINUE WHEN cardinality(used) <> tagged;
        CONTINUE WHEN EXISTS (SELECT 1 FROM kit_dismissals k
                              WHERE k.preset_id = preset.id AND k.devices_hash = kit_devices_hash(filled));
        -- A preset that cannot be applied (a template the schema refuses) must not fail the
        -- handshake that noticed it: it is skipped with a warning in the server log.
        BEGIN
            kit := kit_apply(preset.id, filled, p_kit_tag);
        EXCEPTION WHEN integrity_constraint_violation OR data_exception THEN
            RAISE WARNING 'kit_auto_apply: preset % not applied to kit tag %: %', preset.id, p_kit_tag, SQLERRM;
            kit := NULL;
        END;
        IF kit IS NOT NULL THEN
            RETURN NEXT kit;
        END IF;
    END LOOP;
END $$;

-- A kit goes with any of its devices: its automations name the device, and a kit missing
-- a role is no kit. (Other automations naming a deleted device stay; their runs fail at
-- that step.)
CREATE FUNCTION kit_device_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM device_kits k
    WHERE EXISTS (SELECT 1 FROM jsonb_each_text(k.devices) AS e(role, device_id) WHERE e.device_id = OLD.id::text);
    RETURN NULL;
END $$;
CREATE TRIGGER kit_device_deleted AFTER DELETE ON devices
    FOR EACH ROW EXECUTE FUNCTION kit_device_deleted();
