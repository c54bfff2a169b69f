-- V6: one mailbox, one user. Email addresses are unique whatever their case: CaseDup@Example.com
-- and casedup@example.com are the same mailbox (domains are case-insensitive, and no mail system
-- in use tells local parts apart by case), so they may not name two users.
--
-- users_email_key (exact uniqueness, V1) stays for the portal; users_email_lower_key adds the
-- comparison ignoring case, by lower(email), which the database's collation defines.
--
-- A database may already hold case duplicates (the portal or the admin API accepted them before).
-- The migration must not fail on them, and it must not merge, rename or delete anyone's account:
-- that is a decision for a person. So the oldest user of each such group (by created_at, then id)
-- keeps the address as the one the index covers, and the newer ones are named in the index's
-- predicate as the exceptions they are: they stay as they are, and nobody can add another. A
-- WARNING lists how many there are; find them with
--   SELECT lower(email), array_agg(id ORDER BY created_at, id) FROM users
--   GROUP BY lower(email) HAVING count(*) > 1;
-- A fresh database has none, and gets the plain index.
DO $$
DECLARE
    exceptions uuid[];
BEGIN
    SELECT coalesce(array_agg(id ORDER BY id), '{}')
      INTO exceptions
      FROM (SELECT id, row_number() OVER (PARTITION BY lower(email) ORDER BY created_at, id) AS n FROM users) ranked
     WHERE n > 1;
    IF cardinality(exceptions) = 0 THEN
        CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
    ELSE
        RAISE WARNING 'users: % address(es) repeat an older user''s address in another case; they are kept as'
            ' exceptions of users_email_lower_key (see V6__users_email_unique_ignoring_case.sql)',
            cardinality(exceptions);
        EXECUTE format('CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email)) WHERE id <> ALL (%L::uuid[])',
                       exceptions);
    END IF;
END
$$;
