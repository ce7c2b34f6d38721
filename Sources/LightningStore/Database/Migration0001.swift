/// The data model of DESIGN.md section 2.
enum Migration0001 {
    static let migration = Migration(version: 1, name: "data model", statements: [
        """
        CREATE SEQUENCE rollout_queue_order
        """,
        """
        CREATE TABLE rollouts (
            rollout_id text PRIMARY KEY,
            job_id text,
            input jsonb NOT NULL,
            mode text NOT NULL,
            group_key text,
            resources_id text,
            status text NOT NULL,
            timeout_seconds double precision,
            unresponsive_seconds double precision,
            max_attempts integer NOT NULL,
            retry_on text[] NOT NULL,
            metadata jsonb NOT NULL DEFAULT '{}',
            final_reward double precision,
            attempt_count integer NOT NULL DEFAULT 0,
            queue_order bigint NOT NULL DEFAULT nextval('rollout_queue_order'),
            -- Bumped by every status change, so that writers can compare-and-swap without holding locks.
            version bigint NOT NULL DEFAULT 0,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            ended_at timestamptz
        )
        """,
        // Dequeue reads the oldest queued rollout; the partial index holds only the queue.
        "CREATE INDEX rollouts_queue ON rollouts (queue_order) WHERE status IN ('queuing', 'requeuing')",
        "CREATE INDEX rollouts_job ON rollouts (job_id, created_at) WHERE job_id IS NOT NULL",
        "CREATE INDEX rollouts_created ON rollouts (created_at)",
        "CREATE INDEX rollouts_status ON rollouts (status)",
        """
        CREATE TABLE attempts (
            attempt_id text PRIMARY KEY,
            rollout_id text NOT NULL REFERENCES rollouts (rollout_id),
            sequence integer NOT NULL,
            worker_id text,
            status text NOT NULL,
            lease bigint NOT NULL,
            started_at timestamptz NOT NULL DEFAULT now(),
            last_heartbeat_at timestamptz,
            ended_at timestamptz,
            error text,
            -- Bumped by every status change and heartbeat write.
            version bigint NOT NULL DEFAULT 0,
            UNIQUE (rollout_id, sequence)
        )
        """,
        // The watchdog scans active attempts only.
        "CREATE INDEX attempts_active ON attempts (started_at) WHERE status IN ('preparing', 'running', 'unresponsive')",
        // Span order: a store-wide counter, so that concurrent writers never share a number.
        "CREATE SEQUENCE span_sequence",
        """
        CREATE TABLE spans (
            rollout_id text NOT NULL,
            attempt_id text NOT NULL,
            span_id text NOT NULL,
            sequence bigint NOT NULL DEFAULT nextval('span_sequence'),
            trace_id text NOT NULL,
            parent_span_id text,
            name text NOT NULL,
            kind text NOT NULL,
            status_code text NOT NULL,
            status_message text NOT NULL,
            start_time_unix_nano bigint NOT NULL,
            end_time_unix_nano bigint NOT NULL,
            -- json, not jsonb: spans are written far more than queried, json keeps the text exactly as sent
            -- and costs PostgreSQL about a third less to take in; the store validates it beforehand.
            attributes json NOT NULL,
            events json NOT NULL,
            resource json NOT NULL,
            -- The primary key serves a rollout's spans too (they are sorted by sequence after the lookup).
            PRIMARY KEY (rollout_id, attempt_id, span_id)
        )
        """,
        "CREATE SEQUENCE resources_version",
        """
        CREATE TABLE resources (
            resources_id text PRIMARY KEY,
            version bigint NOT NULL UNIQUE DEFAULT nextval('resources_version'),
            entries jsonb NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        )
        """,
        """
        CREATE TABLE workers (
            worker_id text PRIMARY KEY,
            last_heartbeat_at timestamptz NOT NULL,
            current_rollout_id text,
            current_attempt_id text,
            first_seen_at timestamptz NOT NULL DEFAULT now()
        )
        """,
        """
        CREATE TABLE jobs (
            job_id text PRIMARY KEY,
            algorithm text NOT NULL,
            config jsonb NOT NULL,
            dataset text NOT NULL,
            status text NOT NULL,
            current_step integer NOT NULL DEFAULT 0,
            total_steps integer NOT NULL,
            model_version bigint NOT NULL DEFAULT 0,
            owner text,
            error text,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now()
        )
        """,
        "CREATE INDEX jobs_status ON jobs (status, created_at)",
        """
        CREATE TABLE job_metrics (
            job_id text NOT NULL REFERENCES jobs (job_id),
            step integer NOT NULL,
            metrics jsonb NOT NULL,
            recorded_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (job_id, step)
        )
        """,
    ])
}
