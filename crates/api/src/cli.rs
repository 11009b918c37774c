//! Operator commands: the first administrator, `crm user create`, and `crm seed --demo`.

use anyhow::{Context, bail};

use crm_domain::customers::ContactFields;
use crm_domain::customers::{CustomerFields, CustomerKind, Gender, LifecycleStage, SizeBand, SourceChannel, ValueTier};
use crm_domain::values::{CreditCode, Email, Phone, WebsiteUrl};
use crm_persistence::customers::{self as store, Ownership, contacts};
use crm_persistence::identity::{auth, roles, teams, users};
use crm_persistence::{Actor, Db};

use crate::auth::hash_password;
use crate::config::Config;

/// On an empty database, creates the administrator from `CRM_ADMIN_EMAIL`/`CRM_ADMIN_PASSWORD`,
/// or `admin@example.com` with a random password printed once.
pub async fn ensure_admin(db: &Db, config: &Config) -> anyhow::Result<()> {
    if auth::has_users(db).await? {
        return Ok(());
    }
    let email = config.admin_email.clone().unwrap_or_else(|| "admin@example.com".into());
    let (password, generated) = match &config.admin_password {
        Some(password) => (password.clone(), false),
        None => (hex::encode(rand::random::<[u8; 9]>()), true),
    };
    create_user(db, &email, "Administrator", "admin", &password, &[]).await?;
    if generated {
        println!("Created the administrator {email} with password {password} (shown once; change it after signing in)");
    } else {
        tracing::info!(%email, "created the administrator");
    }
    Ok(())
}

/// Creates a user with a role key and team names.
pub async fn create_user(
    db: &Db,
    email: &str,
    name: &str,
    role_key: &str,
    password: &str,
    team_names: &[&str],
) -> anyhow::Result<uuid::Uuid> {
    if let Some(refusal) = crate::identity::passwords::new_password_error("password", password) {
        bail!("the password {}", refusal.message);
    }
    let email = Email::parse(email).map_err(|e| anyhow::anyhow!("{email}: {e}"))?;
    let role = roles::find_by_key(db, role_key).await?.with_context(|| format!("no role {role_key:?}"))?;
    let mut team_ids = Vec::new();
    for team in team_names {
        team_ids.push(teams::find_id_by_name(db, team).await?.with_context(|| format!("no team {team:?}"))?);
    }
    let new = crm_domain::identity::NewUser {
        email,
        display_name: name.to_owned(),
        password_hash: hash_password(password).map_err(|e| anyhow::anyhow!("{e}"))?,
        role_id: role.id,
        team_ids,
        locale: crm_domain::identity::DEFAULT_LOCALE.into(),
    };
    let user = users::create(db, &Actor::system(), new).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(user.id)
}

/// Demo users' password (documented in the README).
pub const DEMO_PASSWORD: &str = "demo-password-1";

/// A credit code with a correct check digit, made from a 17-character body.
fn credit_code(body: &str) -> Option<CreditCode> {
    const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [usize; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let sum: usize = body.chars().zip(WEIGHTS).map(|(c, w)| ALPHABET.find(c).unwrap_or(0) * w).sum();
    let check = ALPHABET.chars().nth((31 - sum % 31) % 31)?;
    CreditCode::parse(&format!("{body}{check}")).ok()
}

/// Loads a small, living demo organisation: teams, a user per role, ~60 customers with contacts.
pub async fn seed_demo(db: &Db) -> anyhow::Result<()> {
    let system = Actor::system();
    let existing = store::list(db, &system, &Default::default(), &crm_persistence::PageRequest { limit: 1, ..Default::default() })
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if !existing.data.is_empty() || users::find_id_by_email(db, "sales1@example.com").await?.is_some() {
        println!("The database already has customers; demo data is loaded only into an empty one.");
        return Ok(());
    }
    let region = teams::create(db, &system, "上海大区".into(), None).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    teams::create(db, &system, "浦东新区销售".into(), Some(region.id)).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    teams::create(db, &system, "徐汇区销售".into(), Some(region.id)).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    teams::create(db, &system, "北京销售".into(), None).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    teams::create(db, &system, "客户服务部".into(), None).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let people = [
        ("manager@example.com", "张经理", "manager", vec!["上海大区"]),
        ("sales1@example.com", "李明", "sales", vec!["浦东新区销售"]),
        ("sales2@example.com", "王芳", "sales", vec!["徐汇区销售"]),
        ("sales3@example.com", "赵磊", "sales", vec!["北京销售"]),
        ("marketing@example.com", "陈静", "marketing", vec![]),
        ("support@example.com", "刘洋", "support", vec!["客户服务部"]),
        ("viewer@example.com", "周敏", "viewer", vec![]),
        ("erp@example.com", "ERP 接口", "integration", vec![]),
    ];
    let mut sales_ids = Vec::new();
    for (email, name, role, team_names) in &people {
        let id = create_user(db, email, name, role, DEMO_PASSWORD, team_names).await?;
        if *role == "sales" {
            sales_ids.push(id);
        }
    }
    let companies = [
        ("上海浦江精密机械有限公司", "制造业", "浦东新区"),
        ("上海申城软件科技有限公司", "软件与信息技术", "徐汇区"),
        ("上海东方明珠物流有限公司", "物流", "浦东新区"),
        ("上海静安国际贸易有限公司", "批发零售", "静安区"),
        ("上海徐汇医疗器械有限公司", "医疗健康", "徐汇区"),
        ("上海陆家嘴金融信息服务有限公司", "金融", "浦东新区"),
        ("上海长宁餐饮管理有限公司", "餐饮", "长宁区"),
        ("上海闵行新材料科技有限公司", "新材料", "闵行区"),
        ("上海张江生物医药有限公司", "生物医药", "浦东新区"),
        ("上海虹桥会展服务有限公司", "会展", "闵行区"),
        ("上海杨浦教育科技有限公司", "教育", "杨浦区"),
        ("上海宝山钢结构工程有限公司", "建筑工程", "宝山区"),
        ("上海嘉定汽车零部件有限公司", "汽车", "嘉定区"),
        ("上海松江电子元件有限公司", "电子", "松江区"),
        ("上海青浦服装有限公司", "纺织服装", "青浦区"),
        ("上海奉贤化妆品有限公司", "日化", "奉贤区"),
        ("上海普陀智能家居有限公司", "智能硬件", "普陀区"),
        ("上海黄浦文旅发展有限公司", "文化旅游", "黄浦区"),
        ("上海临港新能源科技有限公司", "新能源", "浦东新区"),
        ("上海外高桥进出口有限公司", "外贸", "浦东新区"),
        ("上海金山石化设备有限公司", "化工", "金山区"),
        ("上海崇明生态农业有限公司", "农业", "崇明区"),
        ("上海漕河泾数据科技有限公司", "软件与信息技术", "徐汇区"),
        ("上海五角场广告传媒有限公司", "广告传媒", "杨浦区"),
        ("上海南京路百货有限公司", "批发零售", "黄浦区"),
        ("上海世纪公园物业管理有限公司", "物业", "浦东新区"),
        ("上海淮海路咖啡有限公司", "餐饮", "徐汇区"),
        ("上海七宝印刷包装有限公司", "印刷包装", "闵行区"),
        ("上海安亭机器人有限公司", "智能制造", "嘉定区"),
        ("上海滴水湖海洋科技有限公司", "海洋科技", "浦东新区"),
    ];
    let others = [
        ("北京中关村云计算有限公司", "软件与信息技术", "北京市", "北京市", "海淀区"),
        ("杭州西湖电子商务有限公司", "电子商务", "浙江省", "杭州市", "西湖区"),
        ("苏州工业园区光电科技有限公司", "电子", "江苏省", "苏州市", "苏州工业园区"),
        ("广州天河商贸有限公司", "批发零售", "广东省", "广州市", "天河区"),
        ("深圳南山智能硬件有限公司", "智能硬件", "广东省", "深圳市", "南山区"),
        ("成都高新数字娱乐有限公司", "文化娱乐", "四川省", "成都市", "高新区"),
        ("南京江宁汽车配件有限公司", "汽车", "江苏省", "南京市", "江宁区"),
        ("武汉光谷激光技术有限公司", "智能制造", "湖北省", "武汉市", "东湖新技术开发区"),
        ("宁波北仑港口服务有限公司", "物流", "浙江省", "宁波市", "北仑区"),
        ("天津滨海新区化工有限公司", "化工", "天津市", "天津市", "滨海新区"),
    ];
    let individuals = [
        ("陈晓东", "male"),
        ("林美华", "female"),
        ("黄志强", "male"),
        ("吴丽娟", "female"),
        ("孙建国", "male"),
        ("郑雅婷", "female"),
        ("马俊杰", "male"),
        ("朱慧敏", "female"),
        ("胡文博", "male"),
        ("郭晓燕", "female"),
        ("何嘉怡", "female"),
        ("高子轩", "male"),
        ("罗欣然", "female"),
        ("梁浩然", "male"),
        ("宋佳琪", "female"),
        ("谢天宇", "male"),
        ("韩雪", "female"),
        ("唐明辉", "male"),
        ("冯静怡", "female"),
        ("邓子豪", "male"),
    ];
    let stages = [
        LifecycleStage::Potential,
        LifecycleStage::Prospect,
        LifecycleStage::Customer,
        LifecycleStage::Prospect,
        LifecycleStage::Customer,
        LifecycleStage::Churned,
    ];
    let tiers = [Some(ValueTier::A), Some(ValueTier::B), Some(ValueTier::C), Some(ValueTier::B), None];
    let sizes = [SizeBand::Small, SizeBand::Medium, SizeBand::Large, SizeBand::Enterprise, SizeBand::Micro];
    let sources = [
        SourceChannel::Website,
        SourceChannel::Referral,
        SourceChannel::Exhibition,
        SourceChannel::ColdCall,
        SourceChannel::Partner,
        SourceChannel::Campaign,
    ];
    let contacts_names = ["王伟", "李娜", "张敏", "刘强", "杨洋", "赵静", "周杰", "吴倩"];
    let titles = ["采购经理", "总经理", "财务总监", "技术负责人", "行政主管"];
    let mut index = 0usize;
    let mut customers: Vec<CustomerFields> = Vec::new();
    for (name, industry, district) in companies {
        customers.push(company(name, industry, "上海市", "上海市", district, index, &stages, &tiers, &sizes, &sources));
        index += 1;
    }
    for (name, industry, province, city, district) in others {
        customers.push(company(name, industry, province, city, district, index, &stages, &tiers, &sizes, &sources));
        index += 1;
    }
    for (name, gender) in individuals {
        let fields = CustomerFields {
            kind: CustomerKind::Individual,
            name: name.into(),
            industry: None,
            size_band: None,
            province: Some("上海市".into()),
            city: Some("上海市".into()),
            district: Some(["浦东新区", "徐汇区", "静安区", "长宁区"][index % 4].into()),
            address: None,
            phone: Phone::parse(&format!("139{:08}", 16_000_000 + index * 7919)).ok(),
            email: Email::parse(&format!("customer{index}@example.cn")).ok(),
            website: None,
            credit_code: None,
            source_channel: Some(sources[index % sources.len()]),
            lifecycle_stage: stages[index % stages.len()],
            value_tier: tiers[index % tiers.len()],
            tags: if index.is_multiple_of(3) { vec!["个人客户".into(), "VIP".into()] } else { vec!["个人客户".into()] },
            custom_fields: Default::default(),
            gender: Gender::parse(gender).ok(),
            birthday: chrono::NaiveDate::from_ymd_opt(1970 + (index % 30) as i32, 1 + (index % 12) as u32, 1 + (index % 28) as u32),
            preferences: Some("偏好微信沟通".into()),
            notes: None,
            id_type: None,
            id_number: None,
            bank_name: None,
            bank_account: None,
        };
        customers.push(fields);
        index += 1;
    }
    for (i, fields) in customers.into_iter().enumerate() {
        let owner = sales_ids.get(i % sales_ids.len().max(1)).copied();
        // The demo's customers came from an ERP, as a real organisation's often do.
        let erp_id = crm_domain::external::ExternalRef::parse("erp", &format!("C-{}", 1001 + i)).map_err(|e| anyhow::anyhow!("{e}"))?;
        let refs = crm_domain::external::ExternalIdsPatch::setting(&erp_id);
        let record = store::create(db, &system, fields.clone(), Ownership { owner_id: owner, team_id: None }, &refs)
            .await
            .map_err(|e| anyhow::anyhow!("{}: {e}", fields.name))?;
        if fields.kind == CustomerKind::Company {
            for c in 0..(1 + i % 3) {
                let person = ContactFields {
                    name: contacts_names[(i + c) % contacts_names.len()].into(),
                    title: Some(titles[(i + c) % titles.len()].into()),
                    department: None,
                    phone: None,
                    mobile: Phone::parse(&format!("138{:08}", 20_000_000 + i * 131 + c)).ok(),
                    email: Email::parse(&format!("contact{i}_{c}@example.cn")).ok(),
                    wechat: Some(format!("wx_{i}_{c}")),
                    is_primary: c == 0,
                    birthday: None,
                    notes: None,
                    id_type: None,
                    id_number: None,
                    bank_name: None,
                    bank_account: None,
                    custom_fields: Default::default(),
                };
                contacts::create(db, &system, record.id, person, &Default::default()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            }
        }
    }
    seed_interactions(db, &system).await?;
    seed_sales(db, &system).await?;
    println!("Loaded demo data: 5 teams, {} users (password {DEMO_PASSWORD}), {index} customers.", people.len());
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn company(
    name: &str,
    industry: &str,
    province: &str,
    city: &str,
    district: &str,
    index: usize,
    stages: &[LifecycleStage],
    tiers: &[Option<ValueTier>],
    sizes: &[SizeBand],
    sources: &[SourceChannel],
) -> CustomerFields {
    let area = if province == "上海市" { "021" } else { "010" };
    CustomerFields {
        kind: CustomerKind::Company,
        name: name.into(),
        industry: Some(industry.into()),
        size_band: Some(sizes[index % sizes.len()]),
        province: Some(province.into()),
        city: Some(city.into()),
        district: Some(district.into()),
        address: Some(format!("{district}示范路{}号", 100 + index)),
        phone: Phone::parse(&format!("{area}-6{:07}", 2_000_000 + index * 37)).ok(),
        email: Email::parse(&format!("info{index}@example.com.cn")).ok(),
        website: WebsiteUrl::parse(&format!("www.company{index}.example.cn")).ok(),
        credit_code: credit_code(&format!("913101{:011}", 10_000_000_000u64 + index as u64 * 7)),
        source_channel: Some(sources[index % sources.len()]),
        lifecycle_stage: stages[index % stages.len()],
        value_tier: tiers[index % tiers.len()],
        tags: match index % 4 {
            0 => vec!["重点客户".into()],
            1 => vec!["新客户".into(), "华东".into()],
            2 => vec![],
            _ => vec!["长期合作".into()],
        },
        custom_fields: Default::default(),
        gender: None,
        birthday: None,
        preferences: None,
        notes: Some("演示数据".into()),
        id_type: None,
        id_number: None,
        bank_name: None,
        bank_account: None,
    }
}

/// Communication records for the demo: a history for a few customers, and one prospect of
/// `sales1` last contacted 20 days ago, so that the default prospect rule (14 days) gives
/// `sales1` a follow-up task shortly after start.
async fn seed_interactions(db: &Db, system: &Actor) -> anyhow::Result<()> {
    use crm_domain::activities::{Channel, Direction, InteractionFields};
    use crm_persistence::activities::interactions;

    let sales1 = users::find_id_by_email(db, "sales1@example.com").await?.context("sales1 is missing")?;
    let filter = store::CustomerFilter { owner_id: Some(sales1), ..Default::default() };
    let page = crm_persistence::PageRequest { limit: 200, ..Default::default() };
    let owned = store::list(db, system, &filter, &page).await.map_err(|e| anyhow::anyhow!("{e}"))?.data;
    let silent_prospect = owned.iter().find(|c| c.fields.lifecycle_stage == LifecycleStage::Prospect);
    let talks = [
        (Channel::Phone, "电话回访：了解需求", "客户对新产品线有兴趣", 20),
        (Channel::Visit, "上门拜访", "见到采购负责人，约定下次演示", 9),
        (Channel::Wechat, "微信沟通报价", "客户希望再优惠 5%", 3),
        (Channel::Email, "发送产品资料", "已发送报价单与案例", 1),
    ];
    let now = chrono::Utc::now();
    for (i, customer) in owned.iter().take(6).enumerate() {
        let is_silent = silent_prospect.is_some_and(|p| p.id == customer.id);
        for (j, (channel, subject, outcome, days_ago)) in talks.iter().enumerate() {
            // The silent prospect's story stops 20 days ago.
            if is_silent && j > 0 {
                break;
            }
            let fields = InteractionFields {
                contact_id: None,
                opportunity_id: None,
                ticket_id: None,
                requirement_id: None,
                channel: *channel,
                direction: if j % 2 == 0 { Direction::Outbound } else { Direction::Inbound },
                occurred_at: now - chrono::Duration::days(*days_ago + i as i64),
                duration_minutes: Some(15 + 5 * j as i32),
                subject: (*subject).into(),
                content: None,
                outcome: Some((*outcome).into()),
                next_step: None,
            };
            interactions::create(db, &sales_actor(db, sales1).await?, customer.id, fields).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        }
    }
    Ok(())
}

async fn sales_actor(db: &Db, user_id: uuid::Uuid) -> anyhow::Result<Actor> {
    auth::load_user_actor(db, user_id).await.map_err(|e| anyhow::anyhow!("{e}"))
}

/// A catalogue, an open pipeline across stages, and a year of confirmed orders, so the board and
/// the reports have something to show.
async fn seed_sales(db: &Db, system: &Actor) -> anyhow::Result<()> {
    use crm_domain::sales::{
        Currency, LineInput, Money, NewOpportunity, NewOrder, OpportunityFields, OpportunitySource, Placement, ProductFields,
    };
    use crm_persistence::sales::{opportunities, orders, pipelines, products};

    let catalogue = [
        ("CNC-100", "数控车床", "设备", 128_000 * 100),
        ("SRV-YEAR", "年度维保服务", "服务", 36_000 * 100),
        ("SW-ERP", "ERP 接口许可", "软件", 48_000 * 100),
        ("PART-SPD", "主轴备件", "备件", 3_200 * 100),
        ("TRN-DAY", "现场培训（天）", "服务", 6_000 * 100),
    ];
    let mut product_ids = Vec::new();
    for (sku, name, category, price) in catalogue {
        let fields = ProductFields {
            sku: sku.into(),
            name: name.into(),
            category: Some(category.into()),
            description: None,
            unit_price: Money { amount_minor: price, currency: Currency::cny() },
            active: true,
            custom_fields: Default::default(),
        };
        product_ids.push(products::create(db, system, fields, &Default::default()).await.map_err(|e| anyhow::anyhow!("{e}"))?.id);
    }
    let page = crm_persistence::PageRequest { limit: 200, ..Default::default() };
    let pipeline = pipelines::list(db, system, &page)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .data
        .into_iter()
        .find(|p| p.is_default)
        .context("no default pipeline")?;
    let stage = |key: &str| pipeline.stages.iter().find(|s| s.key == key).map(|s| s.id);
    let customers = store::list(db, system, &Default::default(), &page).await.map_err(|e| anyhow::anyhow!("{e}"))?.data;
    let today = db.today();
    let keys = ["initial_contact", "qualification", "proposal", "negotiation", "won", "won", "lost"];
    for (i, customer) in customers.iter().filter(|c| c.fields.kind == CustomerKind::Company).take(21).enumerate() {
        let actor = sales_actor(db, customer.owner_id).await?;
        let product = product_ids[i % product_ids.len()];
        let fields = OpportunityFields {
            name: format!("{} {}", customer.fields.name.chars().take(6).collect::<String>(), ["设备采购", "年度维保", "系统对接"][i % 3]),
            contact_id: None,
            amount: Money { amount_minor: 0, currency: Currency::cny() },
            expected_close_date: Some(today + chrono::Duration::days(15 + 10 * i as i64)),
            probability: None,
            source: Some([OpportunitySource::Referral, OpportunitySource::Exhibition, OpportunitySource::Website][i % 3]),
            campaign_id: None,
            competitors: vec![],
            description: None,
            custom_fields: Default::default(),
        };
        let placement = Placement { customer_id: customer.id, ..Default::default() };
        let lines = vec![LineInput {
            product_id: product,
            quantity: 1 + (i % 3) as i64,
            unit_price_minor: None,
            discount_bp: (i % 4) as i32 * 250,
        }];
        let opportunity =
            opportunities::create(db, &actor, NewOpportunity { placement, fields, lines }).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let key = keys[i % keys.len()];
        if key != "initial_contact"
            && let Some(to) = stage(key)
        {
            let reason = (key == "lost").then(|| "预算不足".to_owned());
            opportunities::move_stage(db, &actor, opportunity.id, None, to, reason, false).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        // Customers who have bought get a year of history: two confirmed orders, months apart.
        if customer.fields.lifecycle_stage != LifecycleStage::Customer {
            continue;
        }
        for months_ago in [(i % 11) as u32 + 1, (i % 5) as u32 + 13] {
            let date = today.checked_sub_months(chrono::Months::new(months_ago)).unwrap_or(today);
            let new = NewOrder {
                customer_id: customer.id,
                opportunity_id: None,
                external_system: None,
                external_id: None,
                order_date: date,
                currency: Currency::cny(),
                lines: vec![LineInput {
                    product_id: product_ids[(i + months_ago as usize) % product_ids.len()],
                    quantity: 1 + (months_ago % 3) as i64,
                    unit_price_minor: None,
                    discount_bp: 0,
                }],
                notes: None,
                custom_fields: Default::default(),
            };
            let order = orders::create(db, &actor, new, &Default::default()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            orders::transition(db, &actor, order.id, None, crm_domain::sales::OrderStatus::Confirmed)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
    }
    Ok(())
}

/// `crm rotate-key`: seals every personal value with the current data key, printing progress to
/// standard error after every batch. Answers what was done, for the closing line.
pub async fn rotate_key(db: &Db) -> anyhow::Result<String> {
    let done = crm_persistence::personal_data::rotate_keys(db, |progress| {
        eprintln!("{}: {} read, {} sealed again", progress.field, progress.read, progress.sealed);
    })
    .await
    .context("sealing personal data with the current key")?;
    Ok(done.iter().map(|p| format!("{} sealed again of {} in {}", p.sealed, p.read, p.field)).collect::<Vec<_>>().join(", "))
}
