-- 007_sign_in.sql — who may still act on a token, written once; sessions with an absolute
-- lifetime; failed sign-ins counted per source (docs/security.md, "Sign-in and sessions").
--
-- station_access_role() is the one rule of access: the REST runtime asks it on every
-- authenticated request (cgi/repo.c) and wsd when a WebSocket opens and on every sweep
-- (daemons/wsd/repo.c). A caller may act while its session (the refresh-token family the
-- access token names) still holds a live token — not revoked, not expired, not older
-- than the session's absolute lifetime — and while it is a member of the station; what
-- it may do is decided by its role in station_members *now*, not by the token's claim.
-- A function rather than a statement in libstation, because the rule is a fact about
-- these tables, like a constraint, and both callers keep their own statement around it.
-- It only reads; it is STABLE, and one call costs two index lookups.

-- The start of the session a token belongs to, copied by every rotation: a session ends
-- auth.session_max_days after it started, however often it is refreshed.
ALTER TABLE refresh_tokens ADD COLUMN session_started_at timestamptz;
UPDATE refresh_tokens t SET session_started_at =
    (SELECT min(f.created_at) FROM refresh_tokens f WHERE f.family_id = t.family_id);
ALTER TABLE refresh_tokens ALTER COLUMN session_started_at SET NOT NULL,
                           ALTER COLUMN session_started_at SET DEFAULT now();

-- Membership by user, for the per-request lookup (the key starts with station_id).
CREATE INDEX station_members_user ON station_members (user_id);

-- PL/pgSQL rather than SQL: its plan is prepared once per connection, not per call.
CREATE FUNCTION station_access_role(p_user uuid, p_session uuid, p_max_days integer)
RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT m.role FROM station_members m
            WHERE m.user_id = p_user
              AND EXISTS (SELECT 1 FROM refresh_tokens t
                          WHERE t.family_id = p_session AND t.user_id = p_user
                            AND t.revoked_at IS NULL AND t.expires_at > now()
                            AND t.session_started_at > now() - make_interval(days => p_max_days))
            LIMIT 1);
END
$$;

-- Failed sign-ins (wrong password at login or at change-password), counted per source
-- address (an IPv6 source by its /64) and account: one row per (source, account) and one
-- per source with account '' (every account from that source together). A row whose
-- failures reach its threshold is locked; the row of the pair locks that account for
-- that source only, so a stranger cannot lock the owner out of the owner's own devices.
-- A failure after an hour without any starts the count afresh; each failure also deletes
-- the rows of other sources that have been quiet (and unlocked) for a day, so the table
-- stays small without a job of its own.
CREATE TABLE sign_in_failures (
    source           cidr NOT NULL,
    account          text NOT NULL,          -- lower(email); '' for the whole source
    failures         integer NOT NULL DEFAULT 0,
    locked_until     timestamptz,
    last_failure_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, account)
);
CREATE INDEX sign_in_failures_last ON sign_in_failures (last_failure_at);

-- The per-account counters they replace: an account no longer locks for everyone.
ALTER TABLE users DROP COLUMN failed_logins, DROP COLUMN locked_until;
