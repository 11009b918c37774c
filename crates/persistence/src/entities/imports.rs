use sea_orm::entity::prelude::*;

record_entity!("imports", versioned {
    pub entity: String,
    pub file_name: String,
    pub format: String,
    pub encoding: Option<String>,
    pub delimiter: Option<String>,
    /// JSON list of the header row's cells.
    pub headers: String,
    /// JSON list of the first rows, each a list of cells.
    pub sample: String,
    pub rows_total: i64,
    /// JSON list: the field each column fills, `null` for none.
    pub mapping: String,
    pub duplicate_handling: String,
    /// JSON list of `MatchKey`s.
    pub match_keys: String,
    pub external_system: Option<String>,
    pub status: String,
    pub rows_done: i64,
    pub created_count: i64,
    pub updated_count: i64,
    pub skipped_count: i64,
    pub failed_count: i64,
    /// A revert's progress: records given back their state before the import, and those left
    /// alone because they changed since.
    pub reverted_count: i64,
    pub kept_count: i64,
    /// JSON: the dry run's counts, once it has run.
    pub checked: Option<String>,
    pub error_code: Option<String>,
    pub cancel_requested: bool,
    pub claimed_by: Option<String>,
    pub claimed_until: Option<DateTimeUtc>,
    pub created_by: Uuid,
    /// Whom the worker acts as: who started the run, or the revert.
    pub acting_user_id: Option<Uuid>,
    pub started_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
});
