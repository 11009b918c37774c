//! Importing customers (see `crate::platform::imports`): each row is read into the body a single
//! request would send and parsed by the same functions, matched against stored customers by the
//! import's keys, and written through the batch's set-based path (new customers) or the single
//! update (matched ones); a revert deletes what was created and patches back what was updated.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value, json};
use uuid::Uuid;

use crm_domain::customers::CustomerPatch;
use crm_domain::external::ExternalIdsPatch;
use crm_domain::platform::custom_fields::FieldRule;
use crm_domain::platform::imports::{self as rules, CHUNK_ROWS, DuplicateHandling, MatchKey, RowAction, RowError};
use crm_domain::text;
use crm_domain::values::{CreditCode, Email, Phone};
use crm_persistence::customers::batch::{self as batch_store, CustomerItem, NewCustomer, Outcome};
use crm_persistence::customers::import::{self as import_store, Probe};
use crm_persistence::customers::{self as store, CustomerRecord, Ownership};
use crm_persistence::platform::imports::{ImportSettings, RowOutcome};
use crm_persistence::{Actor, Db};

use super::{CreateCustomer, UpdateCustomer, parse_create, parse_patch};
use crate::error::ApiError;
use crate::http::from_document;

/// What a row is to become.
#[derive(Debug, Clone)]
pub enum Planned {
    Failed(Vec<RowError>),
    /// Matched and left alone (`None`: matched a row earlier in the file, in a dry run).
    Skip(Option<Uuid>),
    Create(Box<NewCustomer>),
    /// The matched customer takes the row's cells (`None` as for `Skip`).
    Update(Option<Uuid>, Box<(CustomerPatch, Ownership, ExternalIdsPatch)>),
}

/// What the rows of a file are read with.
pub struct Reading<'a> {
    pub settings: &'a ImportSettings,
    pub custom: &'a [(FieldRule, String, String)],
    pub today: chrono::NaiveDate,
}

/// One row read: its body, the values it is matched by, and its errors so far.
struct Read {
    body: Map<String, Value>,
    probe: Probe,
    errors: Vec<RowError>,
}

fn read_row(reading: &Reading, cells: &[String], owners: &HashMap<String, Uuid>) -> Read {
    let row = rules::customer_row(&reading.settings.mapping, cells, reading.custom);
    let mut errors: Vec<RowError> = row.errors.iter().map(RowError::of).collect();
    let mut body = row.body;
    if let Some(email) = &row.owner_email {
        match owners.get(&email.to_lowercase()) {
            Some(id) => {
                body.insert("owner_id".into(), json!(id));
            }
            None => errors.push(RowError::of(&crm_domain::FieldError::new(
                "owner_email",
                "import.unknown_owner",
                text!("no active user has the email {email}", "没有邮箱为 {email} 的在职用户"),
            ))),
        }
    }
    if let (Some(id), Some(system)) = (&row.external_id, &reading.settings.external_system) {
        body.insert("external_ids".into(), json!({ system: id }));
    }
    let text = |key: &str| body.get(key).and_then(Value::as_str).map(str::to_owned);
    let probe = Probe {
        external_id: row.external_id.clone(),
        credit_code: text("credit_code").and_then(|code| CreditCode::parse(&code).ok()).map(|code| code.as_str().to_owned()),
        phone: text("phone").and_then(|phone| Phone::parse(&phone).ok()).map(Phone::into_string),
        email: text("email").and_then(|email| Email::parse(&email).ok()).map(|email| email.as_str().to_owned()),
        name: text("name").map(|name| name.trim().to_owned()),
        city: text("city").map(|city| city.trim().to_owned()),
    };
    Read { body, probe, errors }
}

/// The row's errors as a single request would answer them.
fn errors_of(error: &ApiError) -> Vec<RowError> {
    error.row_errors()
}

/// The match keys a row claims, as `key<US>value` strings.
fn claims(keys: &[MatchKey], probe: &Probe) -> Vec<String> {
    keys.iter().filter_map(|key| probe.value(*key).map(|value| format!("{}\u{1f}{value}", key.as_str()))).collect()
}

/// Reads and plans the rows from `first` on: at most [`CHUNK_ROWS`], ending before a row that
/// claims a key an earlier row of the chunk claims or matches the customer an earlier row of
/// the chunk matched (written in the next chunk, it then finds what the earlier row wrote).
/// `seen` (a dry run's only) holds the keys of rows its earlier chunks created, which their
/// rollback made unfindable. Answers the plans with their row numbers (`numbers`, the file's)
/// and the keys each row claims.
pub async fn plan_chunk(
    db: &Db,
    actor: &Actor,
    reading: &Reading<'_>,
    (rows, numbers): (&[Vec<String>], &[i64]),
    first: usize,
    seen: Option<&HashSet<String>>,
) -> Result<Vec<(i64, Planned, Vec<String>)>, ApiError> {
    let settings = reading.settings;
    let candidates = &rows[first..rows.len().min(first + CHUNK_ROWS)];
    let emails: Vec<String> = {
        let owner_column = settings.mapping.iter().position(|field| field.as_deref() == Some("owner_email"));
        owner_column
            .map(|column| {
                candidates.iter().filter_map(|row| row.get(column)).map(|e| e.trim().to_lowercase()).filter(|e| !e.is_empty()).collect()
            })
            .unwrap_or_default()
    };
    let owners = import_store::users_by_email(db, &emails).await?;
    let read: Vec<Read> = candidates.iter().map(|cells| read_row(reading, cells, &owners)).collect();
    let keys = if settings.duplicate_handling == DuplicateHandling::Create { Vec::new() } else { settings.match_keys.clone() };
    let probes: Vec<Probe> = read.iter().map(|r| r.probe.clone()).collect();
    let matches = import_store::find_matches(db, actor, settings.external_system.as_deref(), &keys, &probes).await?;

    let mut claimed: HashSet<String> = HashSet::new();
    let mut matched_ids: HashSet<Uuid> = HashSet::new();
    let mut plans = Vec::with_capacity(read.len());
    for (offset, (row, found)) in read.into_iter().zip(matches).enumerate() {
        let row_claims = claims(&keys, &row.probe);
        let found_ids: Vec<Uuid> = found.as_ref().map(|(_, ids)| ids.clone()).unwrap_or_default();
        if offset > 0 && (row_claims.iter().any(|c| claimed.contains(c)) || found_ids.iter().any(|id| matched_ids.contains(id))) {
            break;
        }
        claimed.extend(row_claims.iter().cloned());
        matched_ids.extend(found_ids.iter().copied());
        let row_number = numbers.get(first + offset).copied().unwrap_or_default();
        let earlier = found.is_none() && seen.is_some_and(|seen| row_claims.iter().any(|c| seen.contains(c)));
        let plan = plan_row(reading, row, found, earlier);
        plans.push((row_number, plan, row_claims));
    }
    Ok(plans)
}

fn plan_row(reading: &Reading, row: Read, found: Option<(MatchKey, Vec<Uuid>)>, matched_earlier_row: bool) -> Planned {
    if !row.errors.is_empty() {
        return Planned::Failed(row.errors);
    }
    let mut body = row.body;
    let patch = || from_document::<UpdateCustomer>(Value::Object(body.clone())).and_then(parse_patch);
    let handling = reading.settings.duplicate_handling;
    match (found, handling) {
        (Some((key, ids)), DuplicateHandling::Skip | DuplicateHandling::Update) if ids.len() > 1 => {
            let (count, key) = (ids.len(), key.as_str());
            Planned::Failed(vec![RowError::of_row(
                "import.ambiguous_match",
                &text!(
                    "{count} customers match this row by {key}: none is chosen",
                    "按 {key} 有 {count} 个客户与此行匹配，无法确定是哪一个"
                ),
            )])
        }
        (Some((_, ids)), DuplicateHandling::Skip) => Planned::Skip(ids.first().copied()),
        (None, DuplicateHandling::Skip) if matched_earlier_row => Planned::Skip(None),
        (Some((_, ids)), DuplicateHandling::Update) => match patch() {
            Ok(parsed) => Planned::Update(ids.first().copied(), Box::new(parsed)),
            Err(error) => Planned::Failed(errors_of(&error)),
        },
        (None, DuplicateHandling::Update) if matched_earlier_row => match patch() {
            Ok(parsed) => Planned::Update(None, Box::new(parsed)),
            Err(error) => Planned::Failed(errors_of(&error)),
        },
        _ => {
            // A file seldom says whether a customer is a company: most are.
            body.entry("kind").or_insert_with(|| json!("company"));
            match from_document::<CreateCustomer>(Value::Object(body)).and_then(|body| parse_create(body, reading.today)) {
                Ok((fields, ownership, refs)) => Planned::Create(Box::new(NewCustomer { fields, ownership, refs })),
                Err(error) => Planned::Failed(errors_of(&error)),
            }
        }
    }
}

/// The fields of a customer an import may change, as its record and `UpdateCustomer` name them.
const WRITABLE: &[&str] = &[
    "kind",
    "name",
    "industry",
    "size_band",
    "province",
    "city",
    "district",
    "address",
    "phone",
    "email",
    "website",
    "credit_code",
    "source_channel",
    "lifecycle_stage",
    "value_tier",
    "tags",
    "notes",
    "owner_id",
];

/// The merge patch that gives `after` back the values of `before` (the fields an import writes,
/// custom fields and external ids key by key).
fn patch_back(before: &CustomerRecord, after: &CustomerRecord) -> Value {
    let (Ok(Value::Object(before)), Ok(Value::Object(after))) = (serde_json::to_value(before), serde_json::to_value(after)) else {
        return json!({});
    };
    let mut patch = Map::new();
    for field in WRITABLE {
        if before.get(*field) != after.get(*field) {
            patch.insert((*field).to_owned(), before.get(*field).cloned().unwrap_or(Value::Null));
        }
    }
    for nested in ["custom_fields", "external_ids"] {
        let (old, new) = (before.get(nested).and_then(Value::as_object), after.get(nested).and_then(Value::as_object));
        let (Some(old), Some(new)) = (old, new) else { continue };
        let changed: Map<String, Value> = new
            .keys()
            .chain(old.keys())
            .filter(|key| old.get(*key) != new.get(*key))
            .map(|key| (key.clone(), old.get(key).cloned().unwrap_or(Value::Null)))
            .collect();
        if !changed.is_empty() {
            patch.insert(nested.to_owned(), Value::Object(changed));
        }
    }
    Value::Object(patch)
}

/// Writes a chunk's plans (inside the caller's transaction, see `Db::all_or_nothing`): new
/// customers set-based where the batch path takes them, else one by one; matched ones updated
/// one by one. Answers each row's outcome.
pub async fn write_chunk(db: &Db, actor: &Actor, plans: Vec<(i64, Planned)>) -> Result<Vec<RowOutcome>, ApiError> {
    let creates: Vec<CustomerItem> = plans
        .iter()
        .filter_map(|(_, plan)| match plan {
            Planned::Create(new) => Some(CustomerItem {
                reference: None,
                id: None,
                if_match: None,
                create: Some((**new).clone()),
                change: None,
                contacts: Vec::new(),
                one_by_one: false,
            }),
            _ => None,
        })
        .collect();
    let mut written = if creates.is_empty() { Vec::new() } else { batch_store::write_many(db, actor, &creates).await? }.into_iter();
    let mut outcomes = Vec::with_capacity(plans.len());
    for (row_number, plan) in plans {
        let outcome = |action: RowAction, record_id: Option<Uuid>, errors: Vec<RowError>| RowOutcome {
            row_number,
            action,
            record_id,
            errors,
            before: None,
            version_after: None,
        };
        outcomes.push(match plan {
            Planned::Failed(errors) => outcome(RowAction::Failed, None, errors),
            Planned::Skip(id) => outcome(RowAction::Skipped, id, Vec::new()),
            Planned::Create(new) => match written.next() {
                Some(Outcome::Created { id, .. }) => {
                    RowOutcome { version_after: Some(1), ..outcome(RowAction::Created, Some(id), Vec::new()) }
                }
                _ => {
                    let NewCustomer { fields, ownership, refs } = *new;
                    match store::create(db, actor, fields, ownership, &refs).await {
                        Ok(record) => {
                            RowOutcome { version_after: Some(record.version), ..outcome(RowAction::Created, Some(record.id), Vec::new()) }
                        }
                        Err(error) => outcome(RowAction::Failed, None, errors_of(&error.into())),
                    }
                }
            },
            // A dry run's row matching an earlier row of the file: that row is not written.
            Planned::Update(None, _) => outcome(RowAction::Updated, None, Vec::new()),
            Planned::Update(Some(id), change) => {
                let (patch, ownership, refs) = *change;
                let updated = async {
                    let before = store::get(db, actor, id).await?;
                    let after = store::update(db, actor, id, None, patch, ownership, &refs).await?;
                    Ok::<_, crm_persistence::Error>((before, after))
                };
                match updated.await {
                    Ok((before, after)) if after.version == before.version => outcome(RowAction::Skipped, Some(id), Vec::new()),
                    Ok((before, after)) => RowOutcome {
                        before: Some(patch_back(&before, &after)),
                        version_after: Some(after.version),
                        ..outcome(RowAction::Updated, Some(id), Vec::new())
                    },
                    Err(error) => outcome(RowAction::Failed, Some(id), errors_of(&error.into())),
                }
            }
        });
    }
    Ok(outcomes)
}

/// Undoes one written row: deletes a created customer, or patches an updated one back, each only
/// at `version`, the version the import left it at. Answers the version an update left (`None`
/// once deleted).
pub async fn revert_row(
    db: &Db,
    actor: &Actor,
    action: RowAction,
    id: Uuid,
    before: Option<&Value>,
    version: Option<i32>,
) -> Result<Option<i32>, ApiError> {
    match action {
        RowAction::Created => {
            store::delete(db, actor, id, version).await?;
            Ok(None)
        }
        RowAction::Updated => {
            let body = before.cloned().unwrap_or_else(|| json!({}));
            let (patch, ownership, refs) = from_document::<UpdateCustomer>(body).and_then(parse_patch)?;
            Ok(Some(store::update(db, actor, id, version, patch, ownership, &refs).await?.version))
        }
        RowAction::Skipped | RowAction::Failed => Ok(version),
    }
}
