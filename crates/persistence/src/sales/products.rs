//! The product catalogue. Everyone who sells reads it; changing it needs sales rights over all
//! records (administrators, integrations), since a price change reaches every team.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::Serialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crm_domain::external::{ExternalIds, ExternalIdsPatch, ExternalRef};
use crm_domain::identity::{Action, Resource, Scope};
use crm_domain::platform::custom_fields::CustomEntity;
use crm_domain::sales::{Currency, Money, ProductFields, ProductPatch};
use crm_domain::text;

use crate::entities::products;
use crate::external_refs;
use crate::pagination::{Sort, SortValue, fetch_page, pick_sort};
use crate::platform::changes::{self, Change, insert_first_version, move_to_bin, save_next_version};
use crate::platform::custom_fields::{self, CustomFieldQuery, fetch_sorted_page};
use crate::query::{UpdatedWindow, contains_text};
use crate::{Actor, Db, Error, Page, PageRequest, Result, check_version, now, stored, stored_json};

const ENTITY: &str = "product";

#[derive(Debug, Clone, Serialize)]
pub struct ProductRecord {
    pub id: Uuid,
    #[serde(flatten)]
    pub fields: ProductFields,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    /// How other systems know the product: `{"erp": "M-8801"}`.
    pub external_ids: ExternalIds,
}

#[derive(Debug, Clone, Default)]
pub struct ProductFilter {
    pub q: Option<String>,
    pub category: Option<String>,
    pub active: Option<bool>,
    pub updated: UpdatedWindow,
    /// `cf.<key>` filters (see [`CustomFieldQuery`]).
    pub custom: CustomFieldQuery,
    /// One of the list's sorts, or `cf.<key>`/`-cf.<key>` for a custom field.
    pub sort: Option<String>,
}

impl TryFrom<products::Model> for ProductRecord {
    type Error = Error;

    fn try_from(p: products::Model) -> Result<Self> {
        Ok(Self {
            id: p.id,
            fields: ProductFields {
                unit_price: Money {
                    amount_minor: p.unit_price_minor,
                    currency: stored("products.currency", p.id, &p.currency, Currency::parse)?,
                },
                sku: p.sku,
                name: p.name,
                category: p.category,
                description: p.description,
                active: p.active,
                custom_fields: stored_json("products.custom_fields", p.id, &p.custom_fields)?,
            },
            created_at: p.created_at,
            updated_at: p.updated_at,
            version: p.version,
            external_ids: ExternalIds::new(),
        })
    }
}

/// Records of `rows` with their external references.
async fn to_records(conn: &impl ConnectionTrait, rows: Vec<products::Model>) -> Result<Vec<ProductRecord>> {
    let ids: Vec<Uuid> = rows.iter().map(|row| row.id).collect();
    let mut refs = external_refs::of_records(conn, ENTITY, &ids).await?;
    rows.into_iter()
        .map(|row| {
            let external_ids = refs.remove(&row.id).unwrap_or_default();
            Ok(ProductRecord { external_ids, ..ProductRecord::try_from(row)? })
        })
        .collect()
}

async fn to_record(conn: &impl ConnectionTrait, row: products::Model) -> Result<ProductRecord> {
    to_records(conn, vec![row]).await?.pop().ok_or(Error::NotFound)
}

/// The live product other systems know by `reference`.
#[tracing::instrument(skip_all)]
pub async fn holder_of(db: &Db, reference: &ExternalRef) -> Result<Option<Uuid>> {
    external_refs::holder_seen(db, ENTITY, reference).await
}

fn write(model: &mut products::ActiveModel, f: &ProductFields) {
    model.sku = Set(f.sku.clone());
    model.name = Set(f.name.clone());
    model.category = Set(f.category.clone());
    model.description = Set(f.description.clone());
    model.unit_price_minor = Set(f.unit_price.amount_minor);
    model.currency = Set(f.unit_price.currency.as_str().to_owned());
    model.active = Set(f.active);
    model.custom_fields = Set(Value::Object(f.custom_fields.clone()).to_string());
    model.search_text =
        Set(format!("{} {} {}", f.sku.to_lowercase(), f.name.to_lowercase(), f.category.as_deref().unwrap_or_default().to_lowercase()));
}

fn require_catalogue_rights(actor: &Actor, action: Action) -> Result<()> {
    if actor.require(Resource::Sales, action)? != Scope::All {
        return Err(Error::Forbidden(text!(
            "changing the product catalogue needs sales rights over all records",
            "修改产品目录需要对全部销售数据的权限"
        )));
    }
    Ok(())
}

/// SKUs are unique: the refusal names the product that has it.
async fn check_sku_free(conn: &impl ConnectionTrait, sku: &str, except: Option<Uuid>) -> Result<()> {
    let mut query = products::Entity::find().filter(products::Column::Sku.eq(sku));
    if let Some(id) = except {
        query = query.filter(products::Column::Id.ne(id));
    }
    if let Some(holder) = query.one(conn).await? {
        return Err(Error::Taken {
            code: "product.sku_taken",
            message: text!("another product has SKU {sku}", "SKU {sku} 已被其他产品使用"),
            existing_id: holder.id,
        });
    }
    Ok(())
}

#[tracing::instrument(skip_all)]
pub async fn create(db: &Db, actor: &Actor, fields: ProductFields, refs: &ExternalIdsPatch) -> Result<ProductRecord> {
    require_catalogue_rights(actor, Action::Create)?;
    let txn = db.begin_write().await?;
    check_sku_free(&txn, &fields.sku, None).await?;
    let mut fields = fields;
    fields.custom_fields = custom_fields::settle(db, &txn, CustomEntity::Products, &Map::new(), Some(&fields.custom_fields), true).await?;
    let at = now();
    let id = Uuid::now_v7();
    let mut model = products::ActiveModel { id: Set(id), ..Default::default() };
    write(&mut model, &fields);
    let row = insert_first_version(&txn, model, at).await?;
    external_refs::change(&txn, ENTITY, id, refs).await?;
    let record = ProductRecord { external_ids: refs.apply(&ExternalIds::new()), ..ProductRecord::try_from(row)? };
    changes::commit(txn, actor, Change::created(ENTITY, id, &record), record).await
}

#[tracing::instrument(skip_all)]
pub async fn get(db: &Db, actor: &Actor, id: Uuid) -> Result<ProductRecord> {
    actor.require(Resource::Sales, Action::Read)?;
    let row = products::Entity::find_by_id(id).filter(products::Column::DeletedAt.is_null()).one(&db.conn).await?.ok_or(Error::NotFound)?;
    to_record(&db.conn, row).await
}

#[tracing::instrument(skip_all)]
pub async fn list(db: &Db, actor: &Actor, filter: &ProductFilter, page: &PageRequest) -> Result<Page<ProductRecord>> {
    actor.require(Resource::Sales, Action::Read)?;
    use products::Column as C;
    let sorts = [
        Sort { key: "name", column: C::Name, descending: false, value: SortValue::Text },
        Sort { key: "-name", column: C::Name, descending: true, value: SortValue::Text },
        Sort { key: "-created_at", column: C::CreatedAt, descending: true, value: SortValue::Time },
        Sort { key: "created_at", column: C::CreatedAt, descending: false, value: SortValue::Time },
        Sort { key: "-updated_at", column: C::UpdatedAt, descending: true, value: SortValue::Time },
        Sort { key: "updated_at", column: C::UpdatedAt, descending: false, value: SortValue::Time },
    ];
    let custom = custom_fields::list_query(db, CustomEntity::Products, &filter.custom, filter.sort.as_deref()).await?;
    let mut select =
        products::Entity::find().filter(C::DeletedAt.is_null()).filter(filter.updated.on(C::UpdatedAt)).filter(custom.condition);
    select = select.filter(contains_text(C::SearchText, filter.q.as_deref()));
    if let Some(category) = &filter.category {
        select = select.filter(C::Category.eq(category.clone()));
    }
    if let Some(active) = filter.active {
        select = select.filter(C::Active.eq(active));
    }
    let page = match &custom.sort {
        Some(sort) => fetch_sorted_page(&db.conn, select, sort, C::Id, page, |p| (&p.custom_fields, p.id)).await?,
        None => {
            let sort = pick_sort(&sorts, filter.sort.as_deref())?;
            fetch_page(&db.conn, select, sort, C::Id, page, |p| {
                let value = match sort.column {
                    C::Name => json!(p.name),
                    C::UpdatedAt => json!(p.updated_at),
                    _ => json!(p.created_at),
                };
                (value, p.id)
            })
            .await?
        }
    };
    Ok(Page { data: to_records(&db.conn, page.data).await?, next_cursor: page.next_cursor, total: page.total })
}

#[tracing::instrument(skip_all)]
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    patch: ProductPatch,
    refs: &ExternalIdsPatch,
) -> Result<ProductRecord> {
    require_catalogue_rights(actor, Action::Update)?;
    let txn = db.begin_write().await?;
    if let Some(sku) = &patch.sku {
        check_sku_free(&txn, sku, Some(id)).await?;
    }
    let row = products::Entity::find_by_id(id).filter(products::Column::DeletedAt.is_null()).one(&txn).await?.ok_or(Error::NotFound)?;
    check_version(expected_version, row.version)?;
    let before = to_record(&txn, row.clone()).await?;
    let mut patch = patch;
    if let Some(incoming) = &patch.custom_fields {
        patch.custom_fields =
            Some(custom_fields::settle(db, &txn, CustomEntity::Products, &before.fields.custom_fields, Some(incoming), false).await?);
    }
    let next = patch.apply(&before.fields);
    let external_ids = refs.apply(&before.external_ids);
    if next == before.fields && external_ids == before.external_ids {
        txn.commit().await?;
        return Ok(before);
    }
    if external_ids != before.external_ids {
        external_refs::change(&txn, ENTITY, id, refs).await?;
    }
    let mut model: products::ActiveModel = row.into();
    write(&mut model, &next);
    let after = ProductRecord { external_ids, ..ProductRecord::try_from(save_next_version(&txn, model).await?)? };
    changes::commit(txn, actor, Change::updated(ENTITY, id, &before, &after), after).await
}

/// Moves a product to the recycle bin; orders keep their own copy of name, SKU and price.
#[tracing::instrument(skip_all)]
pub async fn delete(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>) -> Result<()> {
    require_catalogue_rights(actor, Action::Delete)?;
    let txn = db.begin_write().await?;
    let row = products::Entity::find_by_id(id).filter(products::Column::DeletedAt.is_null()).one(&txn).await?.ok_or(Error::NotFound)?;
    check_version(expected_version, row.version)?;
    let before = to_record(&txn, row.clone()).await?;
    let binned = move_to_bin(&txn, actor, ENTITY, id, products::ActiveModel::from(row), &before).await?;
    external_refs::follow_bin(&txn, ENTITY, id, binned.deleted_at).await?;
    txn.commit().await?;
    Ok(())
}
