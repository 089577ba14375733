"""The schema's history: one SQL script per version, in the order they run.

Script ``n`` (1-based) takes a database from version ``n - 1`` to ``n``; its comment says
why the schema changed then. A script is only ever appended, never edited once released:
databases in the field have run it, and a restore (``storage.backup``) checks a copy's
schema against what these same scripts build. :mod:`storage.migrations` applies them.
"""

from __future__ import annotations

from storage.schema_first_wave import FIRST_WAVE

MIGRATIONS: tuple[str, ...] = (
    *FIRST_WAVE,  # 1–10
    # 11: a period's report deadline set (or changed) in chat wins over later reloads of the
    # bloc file, as the tasks changed in chat already do.
    """
    ALTER TABLE periods ADD COLUMN deadline_in_chat INTEGER NOT NULL DEFAULT 0;
    """,
    # 12: who signs the bloc's reports (the bloc file's "signer"): position and name. A unit
    # not attending a conference says why; answers given before the conference moved are
    # stale (the unit is asked again). A person may put off a reminder once ("nhắc lại sáng
    # mai"): when, and whether it has gone out.
    """
    ALTER TABLE blocs ADD COLUMN signer_name TEXT;
    ALTER TABLE blocs ADD COLUMN signer_title TEXT;
    ALTER TABLE conference_attendance ADD COLUMN reason TEXT;
    ALTER TABLE conference_attendance ADD COLUMN stale INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE snoozes (
        member_id INTEGER NOT NULL REFERENCES members(id),
        occasion TEXT NOT NULL,
        origin_kind TEXT NOT NULL,
        origin_id INTEGER NOT NULL,
        fire_at TEXT NOT NULL,
        done_at TEXT,
        PRIMARY KEY (member_id, occasion)
    );
    """,
    # 13: the unit head (lãnh đạo đơn vị) is a role. SQLite cannot change a CHECK, so the
    # table is rebuilt (SQLite's documented procedure; foreign keys are checked after it).
    """
    CREATE TABLE members_13 (
        id INTEGER PRIMARY KEY,
        bloc_id INTEGER NOT NULL REFERENCES blocs(id),
        channel TEXT NOT NULL,
        external_id TEXT NOT NULL,
        display_name TEXT NOT NULL,
        unit_id INTEGER REFERENCES units(id),
        role TEXT NOT NULL
            CHECK (role IN ('contact', 'head', 'chair', 'deputy', 'liaison', 'admin')),
        language TEXT,
        registered_at TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1,
        UNIQUE (channel, external_id)
    );
    INSERT INTO members_13 (id, bloc_id, channel, external_id, display_name, unit_id, role,
                            language, registered_at, active)
        SELECT id, bloc_id, channel, external_id, display_name, unit_id, role, language,
               registered_at, active FROM members;
    DROP TABLE members;
    ALTER TABLE members_13 RENAME TO members;
    CREATE INDEX members_by_unit ON members (unit_id);
    CREATE INDEX members_by_bloc ON members (bloc_id, active);
    """,
    # 14: a contact away (nghỉ phép, đi công tác) names who covers: reminders go to them.
    """
    CREATE TABLE absences (
        member_id INTEGER PRIMARY KEY REFERENCES members(id),
        starts TEXT NOT NULL,
        ends TEXT NOT NULL,
        backup_member_id INTEGER REFERENCES members(id),
        set_at TEXT NOT NULL,
        CHECK (starts <= ends)
    );
    """,
    # 15: the ministry's liaison (Vụ Thi đua – Khen thưởng) belongs to no unit and answers a
    # conference invitation for itself: its answers are kept per person, beside the units'.
    # And the outbox is searched by kind and day (the day's deadline letters to a person);
    # a letter of several reminders keeps what it held.
    """
    CREATE TABLE liaison_attendance (
        conference_id INTEGER NOT NULL REFERENCES conferences(id),
        member_id INTEGER NOT NULL REFERENCES members(id),
        answer TEXT NOT NULL CHECK (answer IN ('attend', 'absent', 'delegate')),
        attendee_name TEXT,
        attendee_title TEXT,
        reason TEXT,
        answered_at TEXT NOT NULL,
        stale INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (conference_id, member_id)
    );
    -- a person is told of deadlines at most once a day: the day's letters are looked up,
    -- and a letter of several reminders keeps what it held ("Nhắc lại sáng mai" under it)
    CREATE INDEX outbox_by_kind ON outbox (kind, created_at);
    CREATE TABLE letter_items (
        letter TEXT NOT NULL,
        occasion TEXT NOT NULL,
        PRIMARY KEY (letter, occasion)
    );
    """,
    # 16: the emulation year of its own: the criteria table and scoring window a year was
    # loaded with (a later year's file does not change an earlier year's), each unit's
    # self-scores, their evidence files, and the sheet submitted once.
    """
    CREATE TABLE emulation_years (
        id INTEGER PRIMARY KEY,
        bloc_id INTEGER NOT NULL REFERENCES blocs(id),
        year INTEGER NOT NULL,
        criteria TEXT,
        scoring_opens_at TEXT,
        scoring_deadline_at TEXT,
        scoring_deadline_all_day INTEGER NOT NULL DEFAULT 0,
        scoring_rules TEXT,
        UNIQUE (bloc_id, year)
    );
    CREATE TABLE self_scores (
        year_id INTEGER NOT NULL REFERENCES emulation_years(id),
        unit_id INTEGER NOT NULL REFERENCES units(id),
        code TEXT NOT NULL,
        points TEXT NOT NULL,
        justification TEXT,
        scored_by INTEGER REFERENCES members(id),
        scored_at TEXT NOT NULL,
        PRIMARY KEY (year_id, unit_id, code)
    );
    CREATE TABLE score_evidence (
        id INTEGER PRIMARY KEY,
        year_id INTEGER NOT NULL REFERENCES emulation_years(id),
        unit_id INTEGER NOT NULL REFERENCES units(id),
        code TEXT NOT NULL,
        channel TEXT NOT NULL,
        file_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        name TEXT,
        mime_type TEXT,
        size INTEGER,
        added_by INTEGER REFERENCES members(id),
        added_at TEXT NOT NULL
    );
    CREATE INDEX score_evidence_by_line ON score_evidence (year_id, unit_id, code);
    CREATE TABLE score_submissions (
        year_id INTEGER NOT NULL REFERENCES emulation_years(id),
        unit_id INTEGER NOT NULL REFERENCES units(id),
        submitted_by INTEGER REFERENCES members(id),
        submitted_at TEXT NOT NULL,
        PRIMARY KEY (year_id, unit_id)
    );
    """,
    # 17: the vote for the leading unit. Its rules as the bloc file gave them when the year
    # was loaded; each round opened by the chair with its candidates and rules; a unit's
    # "has voted" row; and apart from it the ballot box, which keeps no ballot at all: only
    # each candidate's count of votes (a row per ballot would keep, in where SQLite puts it on
    # its page, the order ballots were cast, and so each voter's choice) and the receipts
    # handed to the voters, which name no candidate.
    """
    ALTER TABLE emulation_years ADD COLUMN vote_rules TEXT;
    CREATE TABLE votes (
        id INTEGER PRIMARY KEY,
        year_id INTEGER NOT NULL REFERENCES emulation_years(id),
        round INTEGER NOT NULL,
        candidates TEXT NOT NULL,
        rules TEXT NOT NULL,
        opened_by INTEGER REFERENCES members(id),
        opened_at TEXT NOT NULL,
        closed_at TEXT,
        result TEXT,
        UNIQUE (year_id, round)
    );
    CREATE TABLE vote_voters (
        vote_id INTEGER NOT NULL REFERENCES votes(id),
        unit_id INTEGER NOT NULL REFERENCES units(id),
        voted_at TEXT NOT NULL,
        PRIMARY KEY (vote_id, unit_id)
    );
    CREATE TABLE vote_tallies (
        vote_id INTEGER NOT NULL REFERENCES votes(id),
        candidate_unit_id INTEGER NOT NULL REFERENCES units(id),
        votes INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (vote_id, candidate_unit_id)
    );
    CREATE TABLE vote_receipts (
        vote_id INTEGER NOT NULL REFERENCES votes(id),
        receipt TEXT NOT NULL,
        PRIMARY KEY (vote_id, receipt)
    ) WITHOUT ROWID;
    """,
    # 18: cross-checks and the chair's settlement: which unit reviews which unit's sheet,
    # the score each reviewer proposes per line with its reason, and the final score the
    # chair settles per line with its reason; the year's settlement, once final.
    """
    ALTER TABLE emulation_years ADD COLUMN settled_at TEXT;
    ALTER TABLE emulation_years ADD COLUMN settled_by INTEGER REFERENCES members(id);
    CREATE TABLE score_reviewers (
        year_id INTEGER NOT NULL REFERENCES emulation_years(id),
        unit_id INTEGER NOT NULL REFERENCES units(id),
        reviewer_unit_id INTEGER NOT NULL REFERENCES units(id),
        assigned_by INTEGER REFERENCES members(id),
        assigned_at TEXT NOT NULL,
        done_at TEXT,
        PRIMARY KEY (year_id, unit_id)
    );
    CREATE TABLE score_reviews (
        year_id INTEGER NOT NULL REFERENCES emulation_years(id),
        unit_id INTEGER NOT NULL REFERENCES units(id),
        code TEXT NOT NULL,
        reviewer_unit_id INTEGER NOT NULL REFERENCES units(id),
        points TEXT NOT NULL,
        reason TEXT NOT NULL,
        reviewed_by INTEGER REFERENCES members(id),
        reviewed_at TEXT NOT NULL,
        PRIMARY KEY (year_id, unit_id, code)
    );
    CREATE TABLE settled_scores (
        year_id INTEGER NOT NULL REFERENCES emulation_years(id),
        unit_id INTEGER NOT NULL REFERENCES units(id),
        code TEXT NOT NULL,
        points TEXT NOT NULL,
        reason TEXT,
        settled_by INTEGER REFERENCES members(id),
        settled_at TEXT NOT NULL,
        PRIMARY KEY (year_id, unit_id, code)
    );
    """,
    # 19: the year's covenant: its text and targets as the bloc file gave them (kept once a
    # unit has signed), when the chair opened it for signing, and each unit's signature (the
    # signer's name and position, once per unit).
    """
    ALTER TABLE emulation_years ADD COLUMN covenant TEXT;
    ALTER TABLE emulation_years ADD COLUMN covenant_opened_at TEXT;
    ALTER TABLE emulation_years ADD COLUMN covenant_opened_by INTEGER REFERENCES members(id);
    CREATE TABLE covenant_signatures (
        year_id INTEGER NOT NULL REFERENCES emulation_years(id),
        unit_id INTEGER NOT NULL REFERENCES units(id),
        member_id INTEGER REFERENCES members(id),
        signer_name TEXT NOT NULL,
        signer_title TEXT NOT NULL,
        signed_at TEXT NOT NULL,
        PRIMARY KEY (year_id, unit_id)
    );
    """,
    # 20: the year's commendation proposals: the bloc file's forms, quotas and dates (they
    # follow the file; a nomination keeps its form's code), and each unit's nominations of
    # its exemplary collectives and individuals with their achievements and files, which the
    # chair includes in the bloc's proposal or leaves out.
    """
    ALTER TABLE emulation_years ADD COLUMN awards TEXT;
    CREATE TABLE award_nominations (
        id INTEGER PRIMARY KEY,
        year_id INTEGER NOT NULL REFERENCES emulation_years(id),
        unit_id INTEGER NOT NULL REFERENCES units(id),
        form TEXT NOT NULL,
        nominee TEXT NOT NULL,
        position TEXT,
        summary TEXT NOT NULL,
        files TEXT NOT NULL DEFAULT '[]',
        submitted_by INTEGER REFERENCES members(id),
        submitted_at TEXT NOT NULL,
        included INTEGER,
        decided_by INTEGER REFERENCES members(id),
        decided_at TEXT
    );
    CREATE INDEX award_nominations_year ON award_nominations (year_id, form);
    """,
    # 21: the year as a thing of its own: its officers (the chair's and deputy's units, from
    # the file, or from the hand-over in chat that opened it, which a reload then keeps), and
    # when the outgoing chair handed over and so closed it (read-only from then on), with the
    # theme and movements it had then (the next year's file brings its own); the bloc file's
    # rule for who takes the offices next.
    """
    ALTER TABLE emulation_years ADD COLUMN chair_unit_id INTEGER REFERENCES units(id);
    ALTER TABLE emulation_years ADD COLUMN deputy_unit_id INTEGER REFERENCES units(id);
    ALTER TABLE emulation_years ADD COLUMN handed_over_at TEXT;
    ALTER TABLE emulation_years ADD COLUMN handed_over_by INTEGER REFERENCES members(id);
    ALTER TABLE emulation_years ADD COLUMN closed_at TEXT;
    ALTER TABLE emulation_years ADD COLUMN theme TEXT;
    ALTER TABLE emulation_years ADD COLUMN movements TEXT;
    ALTER TABLE blocs ADD COLUMN handover TEXT;
    """,
    # 22: the ministry's liaison, who follows every bloc of the deployment: an invite made
    # with --bloc all, the member it registers, and the bloc that member is looking at now.
    """
    ALTER TABLE invites ADD COLUMN all_blocs INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE members ADD COLUMN all_blocs INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE members ADD COLUMN viewing_bloc_id INTEGER;
    """,
    # 23: several processes of the bot on one database (PostgreSQL, two machines): each says
    # it is alive, one holds the scheduler's lease until it expires, a message being sent
    # names the process sending it and an update waiting in the inbox the process that
    # received it (what a dead process left is another's to finish), and an update its
    # sender (whose earlier updates are handled first, whoever received them).
    """
    CREATE TABLE instances (
        id TEXT PRIMARY KEY,
        lock_key INTEGER NOT NULL,
        started_at TEXT NOT NULL,
        seen_at TEXT NOT NULL
    );
    CREATE TABLE leases (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at TEXT NOT NULL
    );
    ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
    ALTER TABLE inbox ADD COLUMN received_by TEXT;
    ALTER TABLE inbox ADD COLUMN sender TEXT;
    CREATE INDEX inbox_by_sender ON inbox (channel, sender, id);
    """,
)
