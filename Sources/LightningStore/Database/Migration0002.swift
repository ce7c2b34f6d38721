/// Span documents compressed with lz4 instead of PostgreSQL's default pglz. Rows above about 2 KB (the
/// agent-lightning benchmark shape's 5 KB attributes, say) are compressed on insert, and pglz made that the dearest part of a span write: inserting 43,653 spans of about 4.4 KB
/// took 4.25 s with pglz and 1.79 s with lz4 (psql, same server), for 9% more space. Rows written before
/// keep pglz. A server built without lz4 keeps pglz and says so in its log.
enum Migration0002 {
    static let migration = Migration(version: 2, name: "lz4 span documents", statements: [
        """
        DO $$
        BEGIN
            ALTER TABLE spans ALTER COLUMN attributes SET COMPRESSION lz4,
                ALTER COLUMN events SET COMPRESSION lz4, ALTER COLUMN resource SET COMPRESSION lz4;
        EXCEPTION WHEN feature_not_supported THEN
            RAISE WARNING 'this PostgreSQL has no lz4: span documents stay compressed with pglz';
        END $$
        """
    ])
}
