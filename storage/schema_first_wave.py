"""The schema's first ten versions: the half-year loop the first wave built.

The bloc and its people, progress updates, the outbox, chat-managed tasks, several channels,
webhook updates written down, replies as outbox rows, the standing mark, and the tables that
replaced the string-keyed meta table. Released scripts are never edited;
:mod:`storage.schema_history` joins these to the later ones.
"""

from __future__ import annotations

FIRST_WAVE: tuple[str, ...] = (
    # 1: the bloc, its people, invites, dialogs, audit.
    """
    CREATE TABLE blocs (
        id INTEGER PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        ministry TEXT NOT NULL,
        year INTEGER NOT NULL,
        theme TEXT,
        timezone TEXT NOT NULL,
        chair_unit_id INTEGER REFERENCES units(id),
        deputy_unit_id INTEGER REFERENCES units(id),
        liaison_organisation TEXT,
        liaison_person TEXT,
        liaison_title TEXT
    );
    CREATE TABLE units (
        id INTEGER PRIMARY KEY,
        bloc_id INTEGER NOT NULL REFERENCES blocs(id),
        code TEXT NOT NULL,
        name TEXT NOT NULL,
        short_name TEXT NOT NULL,
        aliases TEXT NOT NULL DEFAULT '[]',
        position INTEGER NOT NULL,
        active INTEGER NOT NULL DEFAULT 1,
        UNIQUE (bloc_id, code)
    );
    CREATE TABLE movements (
        id INTEGER PRIMARY KEY,
        bloc_id INTEGER NOT NULL REFERENCES blocs(id),
        name TEXT NOT NULL,
        position INTEGER NOT NULL,
        active INTEGER NOT NULL DEFAULT 1,
        UNIQUE (bloc_id, name)
    );
    CREATE TABLE periods (
        id INTEGER PRIMARY KEY,
        bloc_id INTEGER NOT NULL REFERENCES blocs(id),
        code TEXT NOT NULL,
        title TEXT NOT NULL,
        start_date TEXT NOT NULL,
        end_date TEXT NOT NULL,
        report_deadline_at TEXT,
        report_deadline_all_day INTEGER NOT NULL DEFAULT 0,
        active INTEGER NOT NULL DEFAULT 1,
        UNIQUE (bloc_id, code)
    );
    CREATE TABLE tasks (
        id INTEGER PRIMARY KEY,
        period_id INTEGER NOT NULL REFERENCES periods(id),
        code TEXT NOT NULL,
        position INTEGER NOT NULL,
        title TEXT NOT NULL,
        description TEXT,
        deadline_at TEXT,
        deadline_all_day INTEGER NOT NULL DEFAULT 0,
        active INTEGER NOT NULL DEFAULT 1,
        UNIQUE (period_id, code)
    );
    CREATE TABLE conferences (
        id INTEGER PRIMARY KEY,
        bloc_id INTEGER NOT NULL REFERENCES blocs(id),
        code TEXT NOT NULL,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        starts_at TEXT NOT NULL,
        all_day INTEGER NOT NULL DEFAULT 0,
        place TEXT,
        agenda TEXT NOT NULL DEFAULT '[]',
        report_deadline_at TEXT,
        report_deadline_all_day INTEGER NOT NULL DEFAULT 0,
        active INTEGER NOT NULL DEFAULT 1,
        UNIQUE (bloc_id, code)
    );
    CREATE TABLE members (
        id INTEGER PRIMARY KEY,
        bloc_id INTEGER NOT NULL REFERENCES blocs(id),
        channel TEXT NOT NULL,
        external_id TEXT NOT NULL,
        display_name TEXT NOT NULL,
        unit_id INTEGER REFERENCES units(id),
        role TEXT NOT NULL CHECK (role IN ('contact', 'chair', 'deputy', 'liaison', 'admin')),
        language TEXT,
        registered_at TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1,
        UNIQUE (channel, external_id)
    );
    CREATE INDEX members_by_unit ON members (unit_id);
    CREATE TABLE invites (
        id INTEGER PRIMARY KEY,
        bloc_id INTEGER NOT NULL REFERENCES blocs(id),
        token_hash TEXT NOT NULL UNIQUE,
        unit_id INTEGER REFERENCES units(id),
        role TEXT NOT NULL,
        max_uses INTEGER NOT NULL CHECK (max_uses >= 1),
        uses INTEGER NOT NULL DEFAULT 0,
        expires_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        CHECK (uses <= max_uses)
    );
    CREATE TABLE dialog_states (
        channel TEXT NOT NULL,
        external_id TEXT NOT NULL,
        form TEXT,
        step TEXT,
        answers TEXT NOT NULL DEFAULT '{}',
        token INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (channel, external_id)
    );
    CREATE TABLE processed_updates (
        channel TEXT NOT NULL,
        update_key TEXT NOT NULL,
        processed_at TEXT NOT NULL,
        PRIMARY KEY (channel, update_key)
    );
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT NOT NULL,
        details TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX audit_by_time ON audit_log (at);
    """,
    # 2: progress updates (versioned per unit x task), their attachments, parked drafts.
    """
    CREATE TABLE progress_updates (
        id INTEGER PRIMARY KEY,
        unit_id INTEGER NOT NULL REFERENCES units(id),
        task_id INTEGER NOT NULL REFERENCES tasks(id),
        version INTEGER NOT NULL CHECK (version >= 1),
        status TEXT NOT NULL
            CHECK (status IN ('not_started', 'in_progress', 'done', 'blocked')),
        percent INTEGER NOT NULL CHECK (percent BETWEEN 0 AND 100),
        note TEXT NOT NULL,
        help_needed TEXT,
        author_member_id INTEGER NOT NULL REFERENCES members(id),
        author_name TEXT NOT NULL,
        on_behalf INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        withdrawn_at TEXT,
        withdrawn_by INTEGER REFERENCES members(id),
        UNIQUE (unit_id, task_id, version)
    );
    CREATE INDEX progress_by_task ON progress_updates (task_id, unit_id, version);
    CREATE INDEX progress_by_time ON progress_updates (created_at);
    CREATE TABLE update_attachments (
        id INTEGER PRIMARY KEY,
        update_id INTEGER NOT NULL REFERENCES progress_updates(id),
        channel TEXT NOT NULL,
        file_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('document', 'photo')),
        name TEXT,
        mime_type TEXT,
        size INTEGER
    );
    CREATE INDEX attachments_by_update ON update_attachments (update_id);
    CREATE TABLE dialog_drafts (
        channel TEXT NOT NULL,
        external_id TEXT NOT NULL,
        form TEXT NOT NULL,
        step TEXT,
        answers TEXT NOT NULL,
        parked_at TEXT NOT NULL,
        PRIMARY KEY (channel, external_id, form)
    );
    CREATE INDEX dialog_states_by_age ON dialog_states (updated_at) WHERE form IS NOT NULL;
    ALTER TABLE blocs ADD COLUMN groups TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE blocs ADD COLUMN announce_updates INTEGER NOT NULL DEFAULT 0;
    """,
    # 3: the outbox — every message the bot sends on its own, exactly once, retried, visible.
    """
    CREATE TABLE outbox_batches (
        id INTEGER PRIMARY KEY,
        channel TEXT NOT NULL,
        report_chat TEXT,
        report_language TEXT NOT NULL DEFAULT 'vi',
        kind TEXT NOT NULL,
        created_at TEXT NOT NULL,
        reported_at TEXT
    );
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        dedup_key TEXT NOT NULL UNIQUE,
        batch_id INTEGER REFERENCES outbox_batches(id),
        channel TEXT NOT NULL,
        chat_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        due_at TEXT NOT NULL,
        expires_at TEXT,
        status TEXT NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'blocked', 'expired')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT,
        sent_at TEXT,
        created_at TEXT NOT NULL
    );
    CREATE INDEX outbox_ready ON outbox (status, next_attempt_at);
    CREATE INDEX outbox_by_batch ON outbox (batch_id, status);
    """,
    # 4: tasks and periods managed in chat survive reloads of the bloc file.
    """
    ALTER TABLE tasks ADD COLUMN managed_in_chat INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE tasks ADD COLUMN unit_ids TEXT;
    ALTER TABLE periods ADD COLUMN managed_in_chat INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE periods ADD COLUMN order_in_chat INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE conferences ADD COLUMN managed_in_chat INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE conferences ADD COLUMN reminder_plan TEXT;
    ALTER TABLE periods ADD COLUMN reminder_plan TEXT;
    ALTER TABLE blocs ADD COLUMN reminder_plan TEXT NOT NULL DEFAULT '{}';
    CREATE TABLE conference_attendance (
        conference_id INTEGER NOT NULL REFERENCES conferences(id),
        unit_id INTEGER NOT NULL REFERENCES units(id),
        answer TEXT NOT NULL CHECK (answer IN ('attend', 'absent', 'delegate')),
        attendee_name TEXT,
        attendee_title TEXT,
        member_id INTEGER NOT NULL REFERENCES members(id),
        answered_at TEXT NOT NULL,
        PRIMARY KEY (conference_id, unit_id)
    );
    CREATE INDEX batches_unreported ON outbox_batches (id) WHERE reported_at IS NULL;
    CREATE INDEX processed_by_age ON processed_updates (processed_at);
    """,
    # 5: more than one channel. An outbox key is unique per channel; the numbered menu last
    # shown in a chat (Zalo has no buttons) is kept so "2" means what the person saw.
    """
    CREATE TABLE outbox_by_channel (
        id INTEGER PRIMARY KEY,
        dedup_key TEXT NOT NULL,
        batch_id INTEGER REFERENCES outbox_batches(id),
        channel TEXT NOT NULL,
        chat_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        due_at TEXT NOT NULL,
        expires_at TEXT,
        status TEXT NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'blocked', 'expired')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT,
        sent_at TEXT,
        created_at TEXT NOT NULL,
        UNIQUE (channel, dedup_key)
    );
    INSERT INTO outbox_by_channel SELECT id, dedup_key, batch_id, channel, chat_id, kind,
        payload, due_at, expires_at, status, attempts, next_attempt_at, last_error, sent_at,
        created_at FROM outbox;
    DROP TABLE outbox;
    ALTER TABLE outbox_by_channel RENAME TO outbox;
    CREATE INDEX outbox_ready ON outbox (status, next_attempt_at);
    CREATE INDEX outbox_by_batch ON outbox (batch_id, status);
    CREATE TABLE shown_menus (
        channel TEXT NOT NULL,
        chat_id TEXT NOT NULL,
        token INTEGER NOT NULL,
        options TEXT NOT NULL,
        shown_at TEXT NOT NULL,
        PRIMARY KEY (channel, chat_id)
    );
    """,
    # 6: webhook updates are written down before the messenger is told "received", so an
    # update acknowledged just before a crash is handled after the restart.
    """
    CREATE TABLE inbox (
        id INTEGER PRIMARY KEY,
        channel TEXT NOT NULL,
        update_key TEXT NOT NULL,
        body TEXT NOT NULL,
        received_at TEXT NOT NULL,
        UNIQUE (channel, update_key)
    );
    """,
    # 7: one deployment may hold many blocs (a ministry's): a bloc's members without a scan.
    """
    CREATE INDEX members_by_bloc ON members (bloc_id, active);
    """,
    # 8: replies are outbox rows too, written with the event that caused them, so what the
    # bot committed to say is sent even if it dies right after the commit; a reply may
    # carry a file (an export), kept here until it is sent.
    """
    ALTER TABLE outbox ADD COLUMN file BLOB;
    """,
    # 9: each unit x task's standing update is marked, so the bloc's matrix is read as it is
    # (300 rows at ministry scale) instead of found among every version (3,000) with a
    # correlated MAX per row: 3.9 ms of a 13 ms status view. At most one per unit x task.
    """
    ALTER TABLE progress_updates ADD COLUMN latest INTEGER NOT NULL DEFAULT 0
        CHECK (latest IN (0, 1));
    UPDATE progress_updates SET latest = 1
    WHERE withdrawn_at IS NULL AND version = (
        SELECT MAX(q.version) FROM progress_updates AS q
        WHERE q.unit_id = progress_updates.unit_id AND q.task_id = progress_updates.task_id
          AND q.withdrawn_at IS NULL);
    CREATE UNIQUE INDEX progress_latest ON progress_updates (task_id, unit_id) WHERE latest = 1;
    """,
    # 10: what lived in the string-keyed meta table gets tables of its own, with constraints:
    # the reminders sent, the pauses, the posted task lists, the bloc's group per messenger,
    # the bot's name per messenger, the groups that moved (a Telegram supergroup), which
    # bloc the file loaded last. The rows are carried over; meta goes.
    """
    CREATE TABLE reminders_sent (
        occasion TEXT PRIMARY KEY,
        sent_at TEXT NOT NULL
    );
    INSERT INTO reminders_sent (occasion, sent_at)
        SELECT substr(key, 7), value FROM meta WHERE key LIKE 'fired:%';
    CREATE TABLE paused_units (
        unit_id INTEGER PRIMARY KEY REFERENCES units(id),
        paused_at TEXT NOT NULL
    );
    INSERT INTO paused_units (unit_id, paused_at)
        SELECT CAST(substr(key, 12) AS INTEGER), value FROM meta
        WHERE key LIKE 'pause:unit:%' AND value <> ''
          AND CAST(substr(key, 12) AS INTEGER) IN (SELECT id FROM units);
    CREATE TABLE paused_periods (
        period_id INTEGER PRIMARY KEY REFERENCES periods(id),
        paused_at TEXT NOT NULL
    );
    INSERT INTO paused_periods (period_id, paused_at)
        SELECT CAST(substr(key, 14) AS INTEGER), value FROM meta
        WHERE key LIKE 'pause:period:%' AND value <> ''
          AND CAST(substr(key, 14) AS INTEGER) IN (SELECT id FROM periods);
    CREATE TABLE posted_lists (
        channel TEXT NOT NULL,
        chat_id TEXT NOT NULL,
        message_id TEXT NOT NULL,
        PRIMARY KEY (channel, chat_id)
    );
    INSERT INTO posted_lists (channel, chat_id, message_id)
        SELECT substr(key, 10, instr(substr(key, 10), ':') - 1),
               substr(key, 10 + instr(substr(key, 10), ':')), value
        FROM meta WHERE key LIKE 'tasklist:%:%';
    ALTER TABLE blocs ADD COLUMN loaded_at TEXT;
    UPDATE blocs SET loaded_at = '1970-01-01T00:00:00.000000+00:00'
        WHERE code = (SELECT value FROM meta WHERE key = 'bloc_code');
    CREATE TABLE bloc_groups (
        bloc_id INTEGER NOT NULL REFERENCES blocs(id),
        channel TEXT NOT NULL,
        chat_id TEXT NOT NULL,
        PRIMARY KEY (bloc_id, channel)
    );
    INSERT INTO bloc_groups (bloc_id, channel, chat_id)
        SELECT b.id, substr(m.key, 7), m.value FROM meta AS m
        JOIN blocs AS b ON b.code = (SELECT value FROM meta WHERE key = 'bloc_code')
        WHERE m.key LIKE 'group:%';
    CREATE TABLE bot_accounts (
        channel TEXT PRIMARY KEY,
        username TEXT NOT NULL
    );
    INSERT INTO bot_accounts (channel, username)
        SELECT 'telegram', value FROM meta WHERE key = 'telegram_username';
    CREATE TABLE moved_chats (
        channel TEXT NOT NULL,
        chat_id TEXT NOT NULL,
        moved_to TEXT NOT NULL,
        PRIMARY KEY (channel, chat_id)
    );
    INSERT INTO moved_chats (channel, chat_id, moved_to)
        SELECT 'telegram', substr(key, 19), value FROM meta WHERE key LIKE 'telegram_migrated:%';
    CREATE TABLE health_probe (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        probes INTEGER NOT NULL
    );
    DROP TABLE meta;
    """,
)
