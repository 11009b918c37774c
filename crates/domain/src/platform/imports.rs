//! Imports (导入): reading a spreadsheet a company brings (CSV in UTF-8 or GBK with any common
//! delimiter, or an Excel workbook), proposing which column fills which field from its headers
//! (Chinese and English), and turning one row into the document a single create or update takes,
//! so that an imported record passes exactly the checks a typed one does.

use std::io::Cursor;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::error::FieldError;
use crate::platform::custom_fields::{FieldRule, FieldType};
use crate::text;
use crate::values::string_enum;

/// Rows written (or checked) per transaction: a chunk commits with its progress, so a restart
/// resumes after the last chunk and never writes a row twice.
pub const CHUNK_ROWS: usize = 500;
/// Rows shown as a sample when the file is uploaded.
pub const SAMPLE_ROWS: usize = 5;
/// The largest number of columns read from a file.
pub const MAX_COLUMNS: usize = 200;
/// The longest cell kept, in characters (a longer one is cut and fails the field's own check).
pub const MAX_CELL_CHARS: usize = 10_000;
/// The most data rows a file may have.
pub const MAX_ROWS: usize = 1_000_000;
/// The most non-empty cells a file may have: what bounds the memory a file takes once read (a
/// million rows of twenty columns).
pub const MAX_CELLS: usize = 20_000_000;

string_enum! {
    /// What an import creates or updates.
    ImportEntity { Customers => "customers" }
}

string_enum! {
    /// Where an import stands. `uploaded` → (`checking` → `checked`) → `running` → `completed`,
    /// or `cancelled` / `failed`; a completed or cancelled import may be `reverting` → `reverted`.
    ImportStatus {
        Uploaded => "uploaded",
        Checking => "checking",
        Checked => "checked",
        Running => "running",
        Completed => "completed",
        Cancelled => "cancelled",
        Failed => "failed",
        Reverting => "reverting",
        Reverted => "reverted",
    }
}

impl ImportStatus {
    /// Whether a worker has work to do on an import in this state.
    pub fn is_busy(self) -> bool {
        matches!(self, ImportStatus::Checking | ImportStatus::Running | ImportStatus::Reverting)
    }

    /// Whether the mapping and the duplicate handling may still change.
    pub fn is_settable(self) -> bool {
        matches!(self, ImportStatus::Uploaded | ImportStatus::Checked)
    }
}

string_enum! {
    /// The pass a row's outcome belongs to: the dry run (`check`) or the import itself (`run`).
    ImportPhase { Check => "check", Run => "run" }
}

string_enum! {
    /// What happened (or, in a dry run, would happen) to one row.
    RowAction { Created => "created", Updated => "updated", Skipped => "skipped", Failed => "failed" }
}

string_enum! {
    /// What a revert did with a row's record: `reverted`, or `changed_since` (edited after the
    /// import, so left alone and listed) or `gone` (already deleted).
    RevertOutcome { Reverted => "reverted", ChangedSince => "changed_since", Gone => "gone" }
}

string_enum! {
    /// What a row that matches an existing record does.
    DuplicateHandling {
        /// The row is skipped; the record stays as it is.
        Skip => "skip",
        /// The record takes the row's non-empty cells.
        Update => "update",
        /// A new record is created whatever matches.
        Create => "create",
    }
}

string_enum! {
    /// How a row finds the record it duplicates, tried in the order chosen.
    MatchKey {
        ExternalId => "external_id",
        CreditCode => "credit_code",
        Phone => "phone",
        Email => "email",
        /// The same name in the same city.
        NameCity => "name_city",
    }
}

string_enum! {
    /// The kind of file an import read.
    FileFormat { Csv => "csv", Xlsx => "xlsx" }
}

/// A target field of an import: what a column can fill.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportField {
    /// The field's key: a customer field (`name`), `owner_email`, `external_id`, or `cf.<key>`
    /// for a custom field.
    pub key: String,
    pub label_zh: String,
    pub label_en: String,
    /// A row without it fails (when it creates a record).
    pub required: bool,
}

/// The customer fields an import fills, with the headers that name them (compared after
/// [`normalise_header`]).
const CUSTOMER_FIELDS: &[(&str, &str, &str, bool, &[&str])] = &[
    (
        "name",
        "客户名称",
        "Name",
        true,
        &[
            "客户名称",
            "客户名",
            "公司名称",
            "企业名称",
            "单位名称",
            "名称",
            "客户",
            "name",
            "customername",
            "company",
            "companyname",
            "account",
            "accountname",
        ],
    ),
    ("kind", "客户类型", "Kind", false, &["客户类型", "类型", "类别", "kind", "type", "customertype"]),
    ("industry", "所属行业", "Industry", false, &["所属行业", "行业", "industry"]),
    ("size_band", "企业规模", "Size", false, &["企业规模", "规模", "人员规模", "公司规模", "size", "companysize", "sizeband"]),
    ("province", "省份", "Province", false, &["省份", "省", "所在省份", "province", "state"]),
    ("city", "城市", "City", false, &["城市", "市", "所在城市", "city"]),
    ("district", "区县", "District", false, &["区县", "区", "行政区", "所在区县", "district"]),
    ("address", "详细地址", "Address", false, &["详细地址", "地址", "公司地址", "address", "street"]),
    (
        "phone",
        "电话",
        "Phone",
        false,
        &["电话", "手机", "手机号", "手机号码", "联系电话", "电话号码", "座机", "phone", "mobile", "tel", "telephone", "phonenumber"],
    ),
    ("email", "邮箱", "Email", false, &["邮箱", "电子邮箱", "电子邮件", "邮件", "email", "e-mail", "mail", "emailaddress"]),
    ("website", "网站", "Website", false, &["网站", "网址", "官网", "公司网站", "website", "url", "web", "homepage"]),
    (
        "credit_code",
        "统一社会信用代码",
        "Credit code",
        false,
        &["统一社会信用代码", "信用代码", "社会信用代码", "creditcode", "uscc", "unifiedsocialcreditcode"],
    ),
    (
        "source_channel",
        "客户来源",
        "Source",
        false,
        &["客户来源", "来源", "来源渠道", "渠道", "source", "sourcechannel", "leadsource", "channel"],
    ),
    ("lifecycle_stage", "客户阶段", "Stage", false, &["客户阶段", "阶段", "客户状态", "关系阶段", "stage", "lifecyclestage", "status"]),
    ("value_tier", "客户等级", "Value tier", false, &["客户等级", "等级", "价值等级", "客户级别", "级别", "tier", "valuetier", "rating"]),
    ("tags", "标签", "Tags", false, &["标签", "tags", "tag", "labels"]),
    ("notes", "备注", "Notes", false, &["备注", "说明", "描述", "notes", "note", "remark", "remarks", "description"]),
    ("owner_email", "负责人邮箱", "Owner email", false, &["负责人邮箱", "负责人", "所属销售", "销售", "owner", "owneremail", "salesrep"]),
    ("external_id", "外部编号", "External id", false, &["外部编号", "外部id", "erp编号", "客户编号", "externalid", "erpid", "id"]),
];

/// The fields a customers import can fill: the built-in ones, then the live custom fields.
pub fn customer_fields(custom: &[(FieldRule, String, String)]) -> Vec<ImportField> {
    let own = CUSTOMER_FIELDS.iter().map(|(key, zh, en, required, _)| ImportField {
        key: (*key).to_owned(),
        label_zh: (*zh).to_owned(),
        label_en: (*en).to_owned(),
        required: *required,
    });
    let theirs = custom.iter().filter(|(rule, _, _)| !rule.retired).map(|(rule, zh, en)| ImportField {
        key: format!("cf.{}", rule.key),
        label_zh: zh.clone(),
        label_en: en.clone(),
        required: rule.required && rule.default_value.is_none(),
    });
    own.chain(theirs).collect()
}

/// A header as compared: lower case, without spaces, punctuation, a leading `*` or a trailing
/// "(必填)" that templates add.
pub fn normalise_header(header: &str) -> String {
    let header = header.trim().trim_start_matches(['*', '＊']);
    let header = header.split(['(', '（']).next().unwrap_or(header);
    header.chars().filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-' | '.' | ':' | '：' | '*')).flat_map(char::to_lowercase).collect()
}

/// The field each header most likely fills (`None` where none fits), each field at most once:
/// the built-in fields by their known headers, custom fields by their key or either label.
pub fn propose_mapping(headers: &[String], custom: &[(FieldRule, String, String)]) -> Vec<Option<String>> {
    let mut taken = std::collections::HashSet::new();
    headers
        .iter()
        .map(|header| {
            let header = normalise_header(header);
            if header.is_empty() {
                return None;
            }
            let own = CUSTOMER_FIELDS
                .iter()
                .find(|(_, _, _, _, names)| names.iter().any(|name| normalise_header(name) == header))
                .map(|f| f.0.to_owned());
            let theirs = || {
                custom
                    .iter()
                    .filter(|(rule, _, _)| !rule.retired)
                    .find(|(rule, zh, en)| [rule.key.as_str(), zh, en].iter().any(|name| normalise_header(name) == header))
                    .map(|(rule, _, _)| format!("cf.{}", rule.key))
            };
            let field = own.or_else(theirs)?;
            taken.insert(field.clone()).then_some(field)
        })
        .collect()
}

/// Whether `key` is a field a customers import can fill.
pub fn is_customer_field(key: &str, custom: &[(FieldRule, String, String)]) -> bool {
    CUSTOMER_FIELDS.iter().any(|field| field.0 == key)
        || key.strip_prefix("cf.").is_some_and(|key| custom.iter().any(|(rule, _, _)| rule.key == key && !rule.retired))
}

/// A spreadsheet as read: its header row and its data rows, every cell as text.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub format: FileFormat,
    /// The text encoding of a CSV file (`utf-8` or `gbk`).
    pub encoding: Option<&'static str>,
    /// The delimiter of a CSV file.
    pub delimiter: Option<char>,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Each row's number in the file as a spreadsheet shows it (the first line is 1), blank
    /// rows left out of `rows` counted.
    pub numbers: Vec<i64>,
}

/// Why a file could not be read as a table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    #[error("the file is empty")]
    Empty,
    #[error("the file has no header row")]
    NoHeaders,
    #[error("the workbook cannot be read: {0}")]
    Workbook(String),
    #[error("the CSV file cannot be read: {0}")]
    Csv(String),
    #[error("the file has more than {MAX_ROWS} rows or {MAX_CELLS} cells")]
    TooLarge,
}

impl TableError {
    pub fn code(&self) -> &'static str {
        match self {
            TableError::Empty => "import.empty_file",
            TableError::NoHeaders => "import.no_headers",
            TableError::Workbook(_) => "import.unreadable_workbook",
            TableError::Csv(_) => "import.unreadable_csv",
            TableError::TooLarge => "import.too_many_rows",
        }
    }

    pub fn message(&self) -> crate::Text {
        match self {
            TableError::Empty => text!("the file is empty", "文件是空的"),
            TableError::NoHeaders => text!("the file has no header row", "文件没有表头行"),
            TableError::Workbook(detail) => text!("the Excel workbook cannot be read: {detail}", "无法读取该 Excel 文件：{detail}"),
            TableError::Csv(detail) => text!("the CSV file cannot be read: {detail}", "无法读取该 CSV 文件：{detail}"),
            TableError::TooLarge => text!(
                "the file has more than {MAX_ROWS} rows or {MAX_CELLS} filled cells: split it",
                "文件超过 {MAX_ROWS} 行或 {MAX_CELLS} 个非空单元格，请拆分后再导入"
            ),
        }
    }
}

/// Reads `bytes` as a table: an XLSX workbook's first sheet (a ZIP file), else CSV text.
pub fn read_table(bytes: &[u8]) -> Result<Table, TableError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(TableError::Empty);
    }
    let mut table = if bytes.starts_with(b"PK\x03\x04") { read_workbook(bytes)? } else { read_csv(bytes)? };
    // Trailing blank columns (a spreadsheet's formatting) and blank rows are no data.
    while table.headers.last().is_some_and(|h| h.trim().is_empty()) {
        table.headers.pop();
    }
    if table.headers.iter().all(|h| h.trim().is_empty()) {
        return Err(TableError::NoHeaders);
    }
    table.headers.truncate(MAX_COLUMNS);
    let width = table.headers.len();
    for row in &mut table.rows {
        row.resize(width, String::new());
    }
    Ok(table)
}

fn cut(text: String) -> String {
    if text.chars().count() > MAX_CELL_CHARS { text.chars().take(MAX_CELL_CHARS).collect() } else { text }
}

fn read_workbook(bytes: &[u8]) -> Result<Table, TableError> {
    use calamine::{DataRef, Reader, Xlsx};
    let unreadable = |e: calamine::XlsxError| TableError::Workbook(e.to_string());
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(unreadable)?;
    let first = workbook.sheet_names().first().cloned().ok_or(TableError::Empty)?;
    let cell_text = |cell: &DataRef| -> String {
        match cell {
            DataRef::Empty | DataRef::Error(_) => String::new(),
            DataRef::String(text) | DataRef::DateTimeIso(text) | DataRef::DurationIso(text) => cut(text.clone()),
            DataRef::SharedString(text) => cut((*text).to_owned()),
            DataRef::Int(n) => n.to_string(),
            // A whole number typed in Excel is stored as a float: 13912345678.0 is a phone.
            DataRef::Float(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{x:.0}"),
            DataRef::Float(x) => x.to_string(),
            DataRef::Bool(b) => b.to_string(),
            DataRef::DateTime(at) => match at.as_datetime() {
                Some(at) if at.time() == chrono::NaiveTime::MIN => at.date().format("%Y-%m-%d").to_string(),
                Some(at) => at.format("%Y-%m-%d %H:%M:%S").to_string(),
                None => at.as_f64().to_string(),
            },
        }
    };
    // Cells are read one by one, only the filled ones kept: a sheet's used range can be as wide
    // as its farthest cell, which a dense grid would have to hold whole.
    let mut reader = workbook.worksheet_cells_reader(&first).map_err(unreadable)?;
    let mut lines: std::collections::BTreeMap<u32, Vec<String>> = std::collections::BTreeMap::new();
    let mut cells = 0usize;
    while let Some(cell) = reader.next_cell().map_err(unreadable)? {
        let (row, column) = cell.get_position();
        let column = column as usize;
        if column >= MAX_COLUMNS {
            continue;
        }
        let text = cell_text(cell.get_value());
        if text.trim().is_empty() {
            continue;
        }
        cells += 1;
        if cells > MAX_CELLS || (lines.len() > MAX_ROWS && !lines.contains_key(&row)) {
            return Err(TableError::TooLarge);
        }
        let line = lines.entry(row).or_default();
        if line.len() <= column {
            line.resize(column + 1, String::new());
        }
        line[column] = text;
    }
    let mut lines = lines.into_iter();
    let (_, headers) = lines.next().ok_or(TableError::NoHeaders)?;
    let (numbers, rows) = lines.map(|(row, cells)| (i64::from(row) + 1, cells)).unzip();
    Ok(Table { format: FileFormat::Xlsx, encoding: None, delimiter: None, headers, rows, numbers })
}

/// The text of a CSV file: UTF-8 (with or without a byte order mark) when it is valid UTF-8,
/// else GBK (GB 18030, its superset), which is what Excel on a Chinese Windows saves.
fn decode(bytes: &[u8]) -> (String, &'static str) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_owned(), "utf-8"),
        Err(_) => {
            let (text, _, _) = encoding_rs::GB18030.decode(bytes);
            (text.into_owned(), "gbk")
        }
    }
}

/// The delimiter that splits the first lines into the same number of columns, the most of them:
/// comma, semicolon, tab or vertical bar.
fn detect_delimiter(text: &str) -> u8 {
    let sample: String = text.lines().take(20).collect::<Vec<_>>().join("\n");
    let mut best = (b',', 0usize, false);
    for delimiter in [b',', b';', b'\t', b'|'] {
        let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(sample.as_bytes());
        let widths: Vec<usize> = reader.records().take(20).filter_map(Result::ok).map(|r| r.len()).collect();
        let Some(first) = widths.first().copied() else { continue };
        let consistent = widths.iter().all(|w| *w == first);
        if first > 1 && (consistent, first) > (best.2, best.1) {
            best = (delimiter, first, consistent);
        }
    }
    best.0
}

fn read_csv(bytes: &[u8]) -> Result<Table, TableError> {
    let (text, encoding) = decode(bytes);
    let delimiter = detect_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut records = reader.records();
    let headers: Vec<String> = match records.next() {
        Some(Ok(record)) => record.iter().map(|cell| cell.trim().to_owned()).collect(),
        Some(Err(error)) => return Err(TableError::Csv(error.to_string())),
        None => return Err(TableError::NoHeaders),
    };
    let (mut rows, mut numbers) = (Vec::new(), Vec::new());
    let mut cells = 0usize;
    let (mut line, mut counted_to) = (1i64, 0usize);
    for record in records {
        let record = record.map_err(|error| TableError::Csv(error.to_string()))?;
        // Blank lines (a spreadsheet's `,,,`) are no data and take no room.
        let filled = record.iter().take(MAX_COLUMNS).filter(|cell| !cell.trim().is_empty()).count();
        if filled == 0 {
            continue;
        }
        cells += filled;
        if cells > MAX_CELLS || rows.len() >= MAX_ROWS {
            return Err(TableError::TooLarge);
        }
        // The line a record starts on, counted here: the reader's own count slips on CRLF endings.
        let start = record.position().map_or(0, |at| usize::try_from(at.byte()).unwrap_or(usize::MAX)).min(text.len());
        // After a CRLF the reader places the next record at the LF.
        let start = if text.as_bytes().get(start) == Some(&b'\n') { start + 1 } else { start };
        if start > counted_to {
            line += text.as_bytes()[counted_to..start].iter().filter(|b| **b == b'\n').count() as i64;
            counted_to = start;
        }
        numbers.push(line);
        rows.push(
            record.iter().take(MAX_COLUMNS).map(|cell| if cell.trim().is_empty() { String::new() } else { cut(cell.to_owned()) }).collect(),
        );
    }
    Ok(Table { format: FileFormat::Csv, encoding: Some(encoding), delimiter: Some(char::from(delimiter)), headers, rows, numbers })
}

/// One row read into what a single request takes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowDocument {
    /// The body of a create (`CreateCustomer`'s fields) with the row's non-empty cells.
    pub body: Map<String, Value>,
    /// The owner named by email (`owner_email`), looked up by the caller.
    pub owner_email: Option<String>,
    /// The row's reference in the import's external system.
    pub external_id: Option<String>,
    /// Cells that cannot be read as their field's kind of value.
    pub errors: Vec<FieldError>,
}

/// The choices of the built-in fields as spreadsheets write them (codes, Chinese and English
/// labels), each to its code.
fn choice(field: &str, cell: &str) -> Option<&'static str> {
    let key = normalise_header(cell);
    let table: &[(&str, &[&str])] = match field {
        "kind" => &[
            ("company", &["company", "企业", "公司", "单位", "organisation", "organization", "business", "b2b"]),
            ("individual", &["individual", "个人", "person", "personal", "b2c"]),
        ],
        "size_band" => &[
            ("micro", &["micro", "微型", "微型企业", "1-9", "1-9人"]),
            ("small", &["small", "小型", "小型企业", "10-49", "10-49人"]),
            ("medium", &["medium", "中型", "中型企业", "50-249", "50-249人"]),
            ("large", &["large", "大型", "大型企业", "250-999", "250-999人"]),
            ("enterprise", &["enterprise", "集团", "特大型", "超大型", "1000+", "1000人以上"]),
        ],
        "source_channel" => &[
            ("website", &["website", "官网", "网站", "网络", "web"]),
            ("referral", &["referral", "转介绍", "推荐", "介绍", "老客户介绍"]),
            ("exhibition", &["exhibition", "展会", "会展", "tradeshow"]),
            ("cold_call", &["coldcall", "cold_call", "陌拜", "电话营销", "电销", "陌生拜访"]),
            ("partner", &["partner", "合作伙伴", "代理商", "渠道商"]),
            ("campaign", &["campaign", "市场活动", "活动", "营销活动"]),
            ("advertising", &["advertising", "广告", "投放", "ads"]),
            ("other", &["other", "其他", "其它"]),
        ],
        "lifecycle_stage" => &[
            ("potential", &["potential", "潜在客户", "潜在", "线索", "lead"]),
            ("prospect", &["prospect", "意向客户", "意向"]),
            ("customer", &["customer", "成交客户", "成交", "已成交", "客户"]),
            ("churned", &["churned", "流失客户", "流失", "已流失", "lost"]),
        ],
        "value_tier" => &[("a", &["a", "a类", "a级", "重要"]), ("b", &["b", "b类", "b级", "普通"]), ("c", &["c", "c类", "c级", "一般"])],
        _ => return None,
    };
    table.iter().find(|(_, names)| names.iter().any(|name| normalise_header(name) == key)).map(|(code, _)| *code)
}

/// Splits a list cell (tags, a multiselect) on the separators people type.
fn split_list(cell: &str) -> Vec<String> {
    cell.split([',', '，', ';', '；', '、', '|', '\n']).map(str::trim).filter(|part| !part.is_empty()).map(str::to_owned).collect()
}

/// A custom field's cell as its JSON value, or why it cannot be one.
fn custom_value(rule: &FieldRule, cell: &str) -> Result<Value, FieldError> {
    let field = format!("custom_fields.{}", rule.key);
    let bad = |what: crate::Text| FieldError::new(field.clone(), "import.unreadable_value", what);
    Ok(match rule.field_type {
        FieldType::Text | FieldType::User | FieldType::Date => Value::String(cell.to_owned()),
        FieldType::Number => {
            let number: f64 = cell.replace([',', '，'], "").parse().map_err(|_| bad(text!("not a number: {cell}", "不是数字：{cell}")))?;
            serde_json::Number::from_f64(number).map(Value::Number).ok_or_else(|| bad(text!("not a number: {cell}", "不是数字：{cell}")))?
        }
        FieldType::Money => {
            // Money cells are written in 元 (yuan); values are stored in 分.
            let cleaned = cell.replace([',', '，', '¥', '￥', ' '], "").trim_end_matches('元').to_owned();
            let yuan: f64 = cleaned.parse().map_err(|_| bad(text!("not an amount: {cell}", "不是金额：{cell}")))?;
            let fen = (yuan * 100.0).round();
            if !fen.is_finite() || fen.abs() > 9.0e15 {
                return Err(bad(text!("not an amount: {cell}", "不是金额：{cell}")));
            }
            Value::from(fen as i64)
        }
        FieldType::Bool => match normalise_header(cell).as_str() {
            "true" | "yes" | "y" | "1" | "是" | "对" | "有" | "√" => Value::Bool(true),
            "false" | "no" | "n" | "0" | "否" | "不是" | "无" | "×" => Value::Bool(false),
            _ => return Err(bad(text!("not yes or no: {cell}", "不是“是”或“否”：{cell}"))),
        },
        FieldType::Select => Value::String(option_value(rule, cell)),
        FieldType::Multiselect => Value::Array(split_list(cell).iter().map(|part| Value::String(option_value(rule, part))).collect()),
    })
}

/// The stored value of the option a cell names by its value or either label (the cell itself
/// when none fits, which the field's own check then refuses).
fn option_value(rule: &FieldRule, cell: &str) -> String {
    let key = normalise_header(cell);
    rule.options
        .iter()
        .find(|option| [&option.value, &option.label_zh, &option.label_en].iter().any(|name| normalise_header(name) == key))
        .map_or_else(|| cell.to_owned(), |option| option.value.clone())
}

/// Reads one row through `mapping` (the field of each column, `None` for a column left out).
/// Empty cells are left out of the body: an update never clears a field from a blank cell.
pub fn customer_row(mapping: &[Option<String>], cells: &[String], custom: &[(FieldRule, String, String)]) -> RowDocument {
    let mut row = RowDocument::default();
    let mut custom_values = Map::new();
    for (field, cell) in mapping.iter().zip(cells) {
        let (Some(field), cell) = (field, cell.trim()) else { continue };
        if cell.is_empty() {
            continue;
        }
        match field.as_str() {
            "owner_email" => row.owner_email = Some(cell.to_owned()),
            "external_id" => row.external_id = Some(cell.to_owned()),
            "tags" => {
                row.body.insert("tags".into(), Value::Array(split_list(cell).into_iter().map(Value::String).collect()));
            }
            "kind" | "size_band" | "source_channel" | "lifecycle_stage" | "value_tier" => {
                // An unknown choice goes through as typed: the field's own check names the choices.
                let value = choice(field, cell).map_or_else(|| cell.to_owned(), str::to_owned);
                row.body.insert(field.clone(), Value::String(value));
            }
            key => match key.strip_prefix("cf.") {
                Some(custom_key) => {
                    // A field retired or removed since the mapping was saved: its column is left out.
                    if let Some((rule, _, _)) = custom.iter().find(|(rule, _, _)| rule.key == custom_key) {
                        match custom_value(rule, cell) {
                            Ok(value) => {
                                custom_values.insert(custom_key.to_owned(), value);
                            }
                            Err(error) => row.errors.push(error),
                        }
                    }
                }
                None => {
                    row.body.insert(key.to_owned(), Value::String(cell.to_owned()));
                }
            },
        }
    }
    if !custom_values.is_empty() {
        row.body.insert("custom_fields".into(), Value::Object(custom_values));
    }
    row
}

/// A row's error as stored: a field error with its message in both languages, so that each
/// reader is answered in theirs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowError {
    /// The field (`name`, `custom_fields.budget`), or `row` for the row as a whole.
    pub field: String,
    pub code: String,
    #[serde(default)]
    pub params: Map<String, Value>,
    pub message_en: String,
    pub message_zh: String,
}

impl RowError {
    pub fn of(error: &FieldError) -> Self {
        Self {
            field: error.field.clone(),
            code: error.code.clone(),
            params: error.params.clone(),
            message_en: error.message.get(crate::Lang::En).to_owned(),
            message_zh: error.message.get(crate::Lang::ZhCn).to_owned(),
        }
    }

    /// An error of the whole row (a problem a single request would answer).
    pub fn of_row(code: &str, message: &crate::Text) -> Self {
        Self::of(&FieldError::new("row", code, message.clone()))
    }
}

/// An import's settings: the field of each column, duplicate handling and the matching keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ColumnMapping {
    /// The column's position in the file, from 0.
    pub column: usize,
    /// The field it fills (see `GET /imports/fields`), or `null` to leave the column out.
    pub field: Option<String>,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn rule(key: &str, field_type: FieldType) -> (FieldRule, String, String) {
        let rule = FieldRule { key: key.into(), field_type, options: vec![], required: false, default_value: None, retired: false };
        (rule, format!("{key}中文"), format!("{key} en"))
    }

    #[test]
    fn csv_in_gbk_with_semicolons_is_read() {
        let text = "客户名称;手机;所属行业\n上海某某科技有限公司;13912345678;制造业\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let table = read_table(&gbk).unwrap();
        assert_eq!((table.encoding, table.delimiter), (Some("gbk"), Some(';')));
        assert_eq!(table.headers, ["客户名称", "手机", "所属行业"]);
        assert_eq!(table.rows, vec![vec!["上海某某科技有限公司".to_owned(), "13912345678".into(), "制造业".into()]]);
    }

    #[test]
    fn utf8_with_a_byte_order_mark_tabs_and_quotes_is_read_and_blank_rows_dropped() {
        let text = "\u{feff}Name\tCity\n\"Acme, Inc.\"\t上海市\n\t\n\"两行\n地址\"\t北京市\n";
        let table = read_table(text.as_bytes()).unwrap();
        assert_eq!((table.encoding, table.delimiter), (Some("utf-8"), Some('\t')));
        assert_eq!(table.headers, ["Name", "City"]);
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.numbers, [2, 4], "the blank line still counts");
        let crlf = read_table("a;b\r\nx;1\r\n;\r\n\"y\r\nz\";2\r\nw;3\r\n".as_bytes()).unwrap();
        assert_eq!(crlf.numbers, [2, 4, 6]);
        assert_eq!(table.rows[0][0], "Acme, Inc.");
        assert_eq!(table.rows[1][0], "两行\n地址");
    }

    #[test]
    fn an_empty_file_and_a_broken_workbook_are_refused() {
        assert_eq!(read_table(b"  \n").unwrap_err(), TableError::Empty);
        assert!(matches!(read_table(b"PK\x03\x04not a zip").unwrap_err(), TableError::Workbook(_)));
    }

    #[test]
    fn chinese_and_english_headers_are_recognised_each_field_once() {
        let headers: Vec<String> = ["*客户名称(必填)", "手机", "所属行业", "Email", "统一社会信用代码", "电话", "预算", "无关列"]
            .iter()
            .map(|h| h.to_string())
            .collect();
        let custom = vec![rule("budget", FieldType::Money)];
        let mut custom_named = custom.clone();
        custom_named[0].1 = "预算".into();
        let proposed = propose_mapping(&headers, &custom_named);
        assert_eq!(
            proposed,
            [Some("name"), Some("phone"), Some("industry"), Some("email"), Some("credit_code"), None, Some("cf.budget"), None]
                .map(|f| f.map(str::to_owned))
        );
    }

    #[test]
    fn a_row_becomes_a_create_body_with_choices_lists_and_custom_values() {
        let mapping: Vec<Option<String>> = ["name", "kind", "lifecycle_stage", "tags", "owner_email", "cf.budget", "cf.vip", "city"]
            .iter()
            .map(|f| Some(f.to_string()))
            .collect();
        let custom = vec![rule("budget", FieldType::Money), rule("vip", FieldType::Bool)];
        let cells: Vec<String> =
            ["上海某某", "企业", "意向客户", "重点、华东", "li@example.com", "¥1,200.50", "是", ""].iter().map(|c| c.to_string()).collect();
        let row = customer_row(&mapping, &cells, &custom);
        assert_eq!(row.owner_email.as_deref(), Some("li@example.com"));
        assert!(row.errors.is_empty());
        assert_eq!(
            Value::Object(row.body),
            serde_json::json!({ "name": "上海某某", "kind": "company", "lifecycle_stage": "prospect", "tags": ["重点", "华东"],
                                "custom_fields": { "budget": 120050, "vip": true } })
        );
        let bad = customer_row(&mapping[5..6], &["很多".to_owned()], &custom);
        assert_eq!(bad.errors[0].field, "custom_fields.budget");
    }
}
