//! Personal fields sealed at rest: what a stolen database file or dump holds (no clear identity
//! document number, bank account, address, birthday, or a customer's own phone and email, in any
//! table: the records, their events, audit entries and kept idempotent answers), exact lookup
//! and duplicate detection through blind indexes with their coincidences filtered, a key
//! rotation that loses nothing, and the sealing of values an older version stored in clear.

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::{Value, json};

use crm_domain::privacy::keys::{DataKey, Keyring};
use crm_tests::TestApp;

const ID_CARD: &str = "11010519491231002X";
const BANK_ACCOUNT: &str = "6222021234567890123";
const STREET: &str = "张江路 100 号";
const BIRTHDAY: &str = "1990-05-01";
const PHONE: &str = "+8613812345678";
const EMAIL: &str = "zhang.san@example.cn";
const PASSPORT: &str = "E98765432";
const CONTACT_BANK_ACCOUNT: &str = "6217000011112222";
const CONTACT_BIRTHDAY: &str = "1985-03-04";

/// Every sealed value the tests write, none of which may be found in the database in clear.
const SEALED_VALUES: [&str; 9] = [ID_CARD, BANK_ACCOUNT, STREET, BIRTHDAY, PHONE, EMAIL, PASSPORT, CONTACT_BANK_ACCOUNT, CONTACT_BIRTHDAY];

fn keyring(current: &str, previous: &[&str]) -> Keyring {
    Keyring::new(DataKey::from_secret(current).unwrap(), previous.iter().map(|k| DataKey::from_secret(k).unwrap()).collect())
}

fn person() -> Value {
    json!({
        "kind": "individual", "name": "张三", "phone": "138 1234 5678", "email": EMAIL,
        "province": "上海市", "address": format!("上海市浦东新区{STREET}"), "birthday": BIRTHDAY,
        "id_type": "id_card", "id_number": "110105 19491231 002x", "bank_name": "招商银行", "bank_account": "6222 0212 3456 7890 123",
    })
}

/// A valid resident identity card number for `n` (a Beijing area code, a birth date from `n`).
fn id_card(n: u32) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let body = format!("110105{:04}{:02}{:02}{:03}", 1950 + n % 50, 1 + (n / 50) % 12, 1 + (n / 600) % 28, 100 + n % 7);
    let sum: u32 = body.bytes().zip(WEIGHTS).map(|(digit, weight)| u32::from(digit - b'0') * weight).sum();
    format!("{body}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

/// Every (table, column) of the database, table by table.
async fn tables_and_columns(db: &DatabaseConnection) -> Vec<(String, String)> {
    let backend = db.get_database_backend();
    let mut out = Vec::new();
    if backend == sea_orm::DatabaseBackend::Postgres {
        let sql = "SELECT table_name::text AS t, column_name::text AS c FROM information_schema.columns \
                   WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position";
        for row in db.query_all_raw(Statement::from_string(backend, sql)).await.unwrap() {
            out.push((row.try_get::<String>("", "t").unwrap(), row.try_get::<String>("", "c").unwrap()));
        }
    } else {
        let tables = "SELECT name FROM sqlite_master WHERE type = 'table'";
        for table in db.query_all_raw(Statement::from_string(backend, tables)).await.unwrap() {
            let table: String = table.try_get("", "name").unwrap();
            let columns = format!("SELECT name FROM pragma_table_info('{table}')");
            for column in db.query_all_raw(Statement::from_string(backend, columns)).await.unwrap() {
                out.push((table.clone(), column.try_get::<String>("", "name").unwrap()));
            }
        }
    }
    out
}

/// Every row of every table as text (its columns joined): what a dump of the database shows.
async fn dump(db: &DatabaseConnection, columns: &[(String, String)]) -> Vec<(String, String)> {
    let backend = db.get_database_backend();
    let mut tables: Vec<&str> = columns.iter().map(|(table, _)| table.as_str()).collect();
    tables.dedup();
    let mut rows = Vec::new();
    for table in tables {
        let cells: Vec<String> = columns
            .iter()
            .filter(|(t, _)| t == table)
            .map(|(_, column)| match backend {
                sea_orm::DatabaseBackend::Postgres => format!("COALESCE(\"{column}\"::text, '')"),
                // Ids and hashes are blobs on SQLite: as hex, which no sealed value's text matches.
                _ => format!(
                    "COALESCE(CASE WHEN typeof(\"{column}\") = 'blob' THEN hex(\"{column}\") ELSE CAST(\"{column}\" AS TEXT) END, '')"
                ),
            })
            .collect();
        let sql = format!("SELECT {} AS row_text FROM \"{table}\"", cells.join(" || '|' || "));
        for row in db.query_all_raw(Statement::from_string(backend, sql)).await.unwrap() {
            rows.push((table.to_owned(), row.try_get::<String>("", "row_text").unwrap()));
        }
    }
    rows
}

/// Fails when any sealed value is stored in clear anywhere in the database (every column of every
/// table, and on SQLite the file and its write-ahead log byte by byte).
async fn assert_nothing_in_clear(app: &TestApp) {
    let db = Database::connect(&app.database_url).await.unwrap();
    let columns = tables_and_columns(&db).await;
    assert!(columns.len() > 100, "the scan sees every table: {}", columns.len());
    let rows = dump(&db, &columns).await;
    assert!(rows.iter().any(|(table, _)| table == "customers"), "the dump holds the customers");
    for needle in SEALED_VALUES {
        let found: Vec<&str> = rows.iter().filter(|(_, text)| text.contains(needle)).map(|(table, _)| table.as_str()).collect();
        assert!(found.is_empty(), "{needle} is stored in clear in {found:?}");
    }
    if let Some(path) = app.database_url.strip_prefix("sqlite://").and_then(|rest| rest.split('?').next()) {
        for file in [path.to_owned(), format!("{path}-wal")] {
            let bytes = std::fs::read(&file).unwrap_or_default();
            for needle in SEALED_VALUES {
                assert!(!bytes.windows(needle.len()).any(|w| w == needle.as_bytes()), "{file} holds {needle}");
            }
        }
    }
}

#[tokio::test]
async fn a_database_holds_no_clear_identity_number_bank_account_address_or_birthday_anywhere() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let keyed = [("idempotency-key", "create-zhang-san")];
    let created = app.send(reqwest::Method::POST, "/api/v1/customers", Some(&admin), Some(&person()), &keyed).await.expect(201);
    let id = created.id();
    assert_eq!(created.body["id_number"], ID_CARD, "normalised: no spaces, upper case");
    assert_eq!(created.body["bank_account"], BANK_ACCOUNT);
    assert_eq!(created.body["phone"], PHONE);
    let path = format!("/api/v1/customers/{id}");
    let replayed = app.send(reqwest::Method::POST, "/api/v1/customers", Some(&admin), Some(&person()), &keyed).await.expect(201);
    assert_eq!(replayed.body, created.body, "the kept answer opens and replays");

    let contact_body = json!({
        "name": "李四", "mobile": "139 0000 1111", "birthday": CONTACT_BIRTHDAY,
        "id_type": "passport", "id_number": PASSPORT, "bank_name": "工商银行", "bank_account": CONTACT_BANK_ACCOUNT,
    });
    let contact = app.post(&format!("{path}/contacts"), &admin, contact_body).await.expect(201);
    let contact_path = format!("/api/v1/contacts/{}", contact.id());
    assert_eq!(contact.body["id_number"], PASSPORT);
    app.patch(&contact_path, &admin, json!({ "title": "店长" }), None).await.expect(200);
    app.delete(&contact_path, &admin).await.expect(204);
    app.post(&format!("{contact_path}/restore"), &admin, json!({})).await.expect(200);

    let moved = app.patch(&path, &admin, json!({ "address": "上海市浦东新区张江路 200 号", "notes": "搬家" }), None).await.expect(200);
    assert_eq!(moved.body["address"], "上海市浦东新区张江路 200 号");
    app.patch(&path, &admin, json!({ "address": format!("上海市浦东新区{STREET}") }), None).await.expect(200);
    app.delete(&path, &admin).await.expect(204);
    app.post(&format!("{path}/restore"), &admin, json!({})).await.expect(200);
    app.post(&format!("{path}/reveal"), &admin, json!({})).await.expect(200);
    // A batch writes its rows with multi-row statements, sealed as a single request's.
    let batch = json!({ "items": [{
        "op": "create",
        "body": { "kind": "individual", "name": "王五", "bank_account": "6222 0000 9999 8888", "address": "北京市朝阳区建国路 88 号" },
        "contacts": [{ "name": "王五", "birthday": "1970-01-02", "id_type": "passport", "id_number": "G1234567" }],
    }] });
    let batched = app.post("/api/v1/customers/batch", &admin, batch).await.expect(200);
    assert_eq!(batched.body["results"][0]["status"], 201, "{}", batched.body);

    // Everything reads back in clear for someone with the right.
    let read = app.get(&path, &admin).await.expect(200).body;
    for (field, value) in
        [("id_number", ID_CARD), ("bank_account", BANK_ACCOUNT), ("birthday", BIRTHDAY), ("phone", PHONE), ("email", EMAIL)]
    {
        assert_eq!(read[field], value, "{field}");
    }
    assert_eq!(read["address"], format!("上海市浦东新区{STREET}"));
    let feed = app.get("/api/v1/events?after=0&limit=200", &admin).await.expect(200).body;
    let created_event =
        feed["data"].as_array().unwrap().iter().find(|e| e["event_type"] == "customer.created" && e["entity_id"] == json!(id)).unwrap();
    assert_eq!(created_event["payload"]["record"]["id_number"], ID_CARD, "the feed opens its copy");
    let moves = feed["data"].as_array().unwrap().iter().filter(|e| e["event_type"] == "customer.updated" && e["entity_id"] == json!(id));
    assert!(moves.clone().any(|e| e["payload"]["changed"]["address"][1] == "上海市浦东新区张江路 200 号"), "changed pairs open");
    let audit = app.get(&format!("/api/v1/audit?entity_id={id}"), &admin).await.expect(200).body;
    let entries = audit["data"].as_array().unwrap();
    assert!(entries.iter().any(|e| e["action"] == "create" && e["changes"]["after"]["bank_account"] == BANK_ACCOUNT), "{audit}");
    assert!(entries.iter().any(|e| e["action"] == "update" && e["changes"]["address"]["new"] == "上海市浦东新区张江路 200 号"));
    let listed = app.get(&format!("/api/v1/customers?q={}", urlencoding(PHONE)), &admin).await.expect(200).body;
    assert_eq!(listed["data"].as_array().unwrap().len(), 1, "a sealed phone is found whole through its blind index");

    assert_nothing_in_clear(&app).await;
}

fn urlencoding(value: &str) -> String {
    value.replace('+', "%2B").replace('@', "%40")
}

#[tokio::test]
async fn identity_numbers_are_found_and_refused_twice_through_the_blind_index_with_its_coincidences_filtered() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let first = app.customer(&admin, person()).await;
    let first_id = first["id"].as_str().unwrap();

    // The same number however it is typed is the same person: refused, naming the holder.
    let mut twin = person();
    twin["id_number"] = json!("11010519491231002x");
    twin["name"] = json!("张三（重复）");
    let taken = app.post("/api/v1/customers", &admin, twin).await.problem(409);
    assert_eq!((taken["code"].clone(), taken["existing_id"].clone()), (json!("customer.id_number_taken"), json!(first_id)));
    let found = app.get("/api/v1/customers?id_number=110105-19491231-002X", &admin).await.expect(200).body;
    assert_eq!(found["data"].as_array().unwrap().iter().map(|c| c["id"].clone()).collect::<Vec<_>>(), vec![json!(first_id)]);
    assert_eq!(app.get("/api/v1/customers?id_number=12*", &admin).await.problem(400)["code"], "bad_request");
    let bad = app.post(
        "/api/v1/customers",
        &admin,
        json!({ "kind": "individual", "name": "赵六", "id_type": "id_card", "id_number": "110105194912310021" }),
    );
    assert_eq!(bad.await.invalid_fields(), ["id_number"], "a wrong check digit");

    // Two numbers whose truncated blind indexes coincide: the second is no duplicate of the
    // first, and a lookup of either finds only its own holder.
    let key_id = keyring(crm_tests::TEST_DATA_KEY, &[]).current_id().to_owned();
    let db = Database::connect(&app.database_url).await.unwrap();
    let backend = db.get_database_backend();
    let sql = format!("SELECT bits FROM blind_index_lengths WHERE field = 'customers.id_number' AND key_id = '{key_id}'");
    let bits: i32 = db.query_one_raw(Statement::from_string(backend, sql)).await.unwrap().unwrap().try_get("", "bits").unwrap();
    assert!((8..=32).contains(&bits), "{bits}");
    let keys = keyring(crm_tests::TEST_DATA_KEY, &[]);
    let mut seen = std::collections::HashMap::new();
    let (one, other) = (0..100_000u32)
        .map(id_card)
        .find_map(|number| {
            let index = keys.blind_index("customers.id_number", &number, bits as u32);
            match seen.insert(index, number.clone()) {
                Some(earlier) if earlier != number => Some((earlier, number)),
                _ => None,
            }
        })
        .unwrap();
    let make = |number: &str, name: &str| json!({ "kind": "individual", "name": name, "id_type": "id_card", "id_number": number });
    let a = app.post("/api/v1/customers", &admin, make(&one, "甲")).await.expect(201).id();
    let b = app.post("/api/v1/customers", &admin, make(&other, "乙")).await.expect(201).id();
    for (number, holder) in [(&one, &a), (&other, &b)] {
        let found = app.get(&format!("/api/v1/customers?id_number={number}"), &admin).await.expect(200).body;
        assert_eq!(found["data"].as_array().unwrap().iter().map(|c| c["id"].clone()).collect::<Vec<_>>(), vec![json!(holder)]);
    }

    // Contacts are found by their number too (a person may be a contact at several customers).
    let contact = json!({ "name": "李四", "id_type": "passport", "id_number": "e 9876 5432" });
    let contact_id = app.post(&format!("/api/v1/customers/{first_id}/contacts"), &admin, contact).await.expect(201).id();
    let found = app.get(&format!("/api/v1/contacts?id_number={PASSPORT}"), &admin).await.expect(200).body;
    assert_eq!(found["data"].as_array().unwrap().iter().map(|c| c["id"].clone()).collect::<Vec<_>>(), vec![json!(contact_id)]);
    // Text typed to look sealed is sealed like any other and reads back as typed, everywhere.
    let looks_sealed = format!("enc1:{}:{}", keyring(crm_tests::TEST_DATA_KEY, &[]).current_id(), "A".repeat(40));
    app.patch(&format!("/api/v1/customers/{first_id}"), &admin, json!({ "address": looks_sealed }), None).await.expect(200);
    assert_eq!(app.get(&format!("/api/v1/customers/{first_id}"), &admin).await.expect(200).body["address"], json!(looks_sealed));
    let feed = app.get("/api/v1/events?after=0&limit=200&types=customer.updated", &admin).await.expect(200).body;
    assert!(feed["data"].as_array().unwrap().iter().any(|e| e["payload"]["record"]["address"] == json!(looks_sealed)));
    app.get(&format!("/api/v1/audit?entity_id={first_id}"), &admin).await.expect(200);

    let contacts = format!("/api/v1/customers/{first_id}/contacts");
    let half = app.post(&contacts, &admin, json!({ "name": "半", "id_number": "E1234567" })).await;
    assert_eq!(half.invalid_fields(), ["id_type"]);
}

/// The stored text of one column of one row.
async fn stored(db: &DatabaseConnection, table: &str, column: &str, id: &str) -> Option<String> {
    let backend = db.get_database_backend();
    let placeholder = if backend == sea_orm::DatabaseBackend::Postgres { "$1" } else { "?" };
    let sql = format!("SELECT CAST({column} AS TEXT) AS v FROM {table} WHERE id = {placeholder}");
    let id: uuid::Uuid = id.parse().unwrap();
    let row = db.query_one_raw(Statement::from_sql_and_values(backend, sql, [id.into()])).await.unwrap().unwrap();
    row.try_get::<Option<String>>("", "v").unwrap()
}

#[tokio::test]
async fn a_key_rotation_beside_running_servers_seals_everything_again_and_loses_nothing() {
    const NEW_KEY: &str = "a-new-data-key-for-the-field-rotation-test";
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let customer = app.customer(&admin, person()).await;
    let id = customer["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/customers/{id}");
    app.patch(&path, &admin, json!({ "address": "上海市徐汇区漕溪北路 1 号" }), None).await.expect(200);
    let before = app.get(&path, &admin).await.expect(200).body;
    let untouched =
        json!({ "kind": "individual", "name": "李四", "id_type": "passport", "id_number": PASSPORT, "bank_account": CONTACT_BANK_ACCOUNT });
    let untouched = app.customer(&admin, untouched).await;
    let old_id = keyring(crm_tests::TEST_DATA_KEY, &[]).current_id().to_owned();
    let db = Database::connect(&app.database_url).await.unwrap();
    assert!(stored(&db, "customers", "id_number", &id).await.unwrap().starts_with(&format!("enc1:{old_id}:")));

    // Every server is given the new key and keeps the old one while the rotation runs.
    let rotating = app
        .spawn_alongside(|config| {
            config.data_key = NEW_KEY.into();
            config.previous_data_keys = vec![crm_tests::TEST_DATA_KEY.into()];
        })
        .await;
    let admin_rotating = rotating.admin().await;
    assert_eq!(rotating.get(&path, &admin_rotating).await.expect(200).body, before, "values sealed by the old key open");
    let written = rotating.patch(&path, &admin_rotating, json!({ "notes": "轮换中" }), None).await.expect(200).body;

    let keys = keyring(NEW_KEY, &[crm_tests::TEST_DATA_KEY]);
    let new_id = keys.current_id().to_owned();
    let rotation_db = crm_persistence::Db::connect(&app.database_url).await.unwrap().with_keys(keys);
    let done = crm_persistence::personal_data::rotate_keys(&rotation_db, |_| {}).await.unwrap();
    let sealed_in = |field: &str| done.iter().find(|p| p.field == field).map(|p| (p.read, p.sealed)).unwrap();
    // The customer written during the rotation was sealed under the new key by that write.
    assert_eq!(sealed_in("customers.id_number"), (2, 1));
    assert_eq!(sealed_in("customers.bank_account"), (2, 1));
    let (events_read, events_sealed) = sealed_in("events.payload");
    assert!(events_read >= 3 && events_sealed >= 2, "{events_read} {events_sealed}: the created and updated events under the old key");
    let again = crm_persistence::personal_data::rotate_keys(&rotation_db, |_| {}).await.unwrap();
    assert!(again.iter().all(|p| p.sealed == 0), "a second run seals nothing more: {again:?}");
    for column in ["id_number", "bank_account", "address", "birthday", "phone", "email"] {
        assert!(stored(&db, "customers", column, &id).await.unwrap().starts_with(&format!("enc1:{new_id}:")), "{column}");
    }

    // Once it is done the old key can go: a server with the new key alone reads everything.
    let after = app.spawn_alongside(|config| config.data_key = NEW_KEY.into()).await;
    let admin_after = after.admin().await;
    assert_eq!(after.get(&path, &admin_after).await.expect(200).body, written, "nothing lost");
    let untouched_path = format!("/api/v1/customers/{}", untouched["id"].as_str().unwrap());
    assert_eq!(after.get(&untouched_path, &admin_after).await.expect(200).body, untouched);
    let found = after.get(&format!("/api/v1/customers?id_number={ID_CARD}"), &admin_after).await.expect(200).body;
    assert_eq!(found["data"][0]["id"], json!(id), "blind indexes follow the new key");
    let feed = after.get("/api/v1/events?after=0&limit=200", &admin_after).await.expect(200).body;
    let created = feed["data"].as_array().unwrap().iter().find(|e| e["event_type"] == "customer.created").unwrap();
    assert_eq!(created["payload"]["record"]["id_number"], ID_CARD);
    let audit = after.get(&format!("/api/v1/audit?entity_id={id}"), &admin_after).await.expect(200).body;
    assert!(audit["data"].as_array().unwrap().iter().any(|e| e["changes"]["address"]["new"] == "上海市徐汇区漕溪北路 1 号"));
    assert_nothing_in_clear(&app).await;
}

#[tokio::test]
async fn values_an_older_version_stored_in_clear_are_sealed_when_a_server_starts() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let id = app.customer(&admin, json!({ "kind": "individual", "name": "旧数据" })).await["id"].as_str().unwrap().to_owned();
    // As an older version stored them: in clear, without blind indexes, and no pass recorded.
    let uuid: uuid::Uuid = id.parse().unwrap();
    app.execute(
        "UPDATE customers SET phone = ?, address = ?, birthday = ?, id_type = 'id_card', id_number = ? WHERE id = ?",
        [PHONE.into(), format!("上海市浦东新区{STREET}").into(), BIRTHDAY.into(), ID_CARD.into(), uuid.into()],
    )
    .await;
    app.execute("DELETE FROM data_key_passes", []).await;
    let read = app.get(&format!("/api/v1/customers/{id}"), &admin).await.expect(200).body;
    assert_eq!((read["phone"].clone(), read["id_number"].clone()), (json!(PHONE), json!(ID_CARD)), "clear values read as themselves");

    let restarted = app.spawn_alongside(|_| {}).await;
    let db = Database::connect(&app.database_url).await.unwrap();
    // The pass runs in the background: wait for its record, then for nothing to be left.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while app.count("data_key_passes", None).await == 0 {
        assert!(std::time::Instant::now() < deadline, "the pass never finished");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    for column in ["phone", "address", "birthday", "id_number"] {
        assert!(stored(&db, "customers", column, &id).await.unwrap().starts_with("enc1:"), "{column}");
    }
    let admin = restarted.admin().await;
    let found = restarted.get(&format!("/api/v1/customers?q={}", urlencoding(PHONE)), &admin).await.expect(200).body;
    assert_eq!(found["data"][0]["id"], json!(id), "indexed as it was sealed");
    let found = restarted.get(&format!("/api/v1/customers?id_number={ID_CARD}"), &admin).await.expect(200).body;
    assert_eq!(found["data"][0]["id"], json!(id));
}

#[tokio::test]
async fn a_blind_index_grows_with_the_records_and_rows_indexed_at_the_old_length_are_still_found() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let old = app.customer(&admin, person()).await["id"].as_str().unwrap().to_owned();
    let db = Database::connect(&app.database_url).await.unwrap();
    let short = stored(&db, "customers", "id_number_index", &old).await.unwrap();
    let short_bits: u32 = short.split_once(':').unwrap().0.parse().unwrap();

    // The organisation expects a million customers: the index gets a longer length.
    let growing = crm_persistence::Db::connect(&app.database_url).await.unwrap().with_keys(keyring(crm_tests::TEST_DATA_KEY, &[]));
    assert!(growing.choose_blind_index_lengths(Some(1_000_000)).await.unwrap(), "a longer length is added");
    assert!(!growing.choose_blind_index_lengths(Some(1_000_000)).await.unwrap(), "and only once");
    let restarted = app.spawn_alongside(|_| {}).await;
    let admin = restarted.admin().await;
    let other = json!({ "kind": "individual", "name": "新客户", "id_type": "passport", "id_number": PASSPORT });
    let new = restarted.customer(&admin, other).await["id"].as_str().unwrap().to_owned();
    let long = stored(&db, "customers", "id_number_index", &new).await.unwrap();
    assert!(long.split_once(':').unwrap().0.parse::<u32>().unwrap() > short_bits, "{long} after {short}");
    for (number, holder) in [(ID_CARD, &old), (PASSPORT, &new)] {
        let found = restarted.get(&format!("/api/v1/customers?id_number={number}"), &admin).await.expect(200).body;
        assert_eq!(found["data"].as_array().unwrap().iter().map(|c| c["id"].clone()).collect::<Vec<_>>(), vec![json!(holder)]);
    }
    let taken = restarted.post("/api/v1/customers", &admin, person()).await.problem(409);
    assert_eq!(taken["existing_id"], json!(old), "a duplicate is refused across lengths");

    // A pass indexes the old row again at the new length; it is still found.
    crm_persistence::personal_data::rotate_keys(&growing, |_| {}).await.unwrap();
    let again = stored(&db, "customers", "id_number_index", &old).await.unwrap();
    assert_eq!(again.split_once(':').unwrap().0, long.split_once(':').unwrap().0);
    let found = restarted.get(&format!("/api/v1/customers?id_number={ID_CARD}"), &admin).await.expect(200).body;
    assert_eq!(found["data"][0]["id"], json!(old));
}
