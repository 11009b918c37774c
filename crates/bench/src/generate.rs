//! The deterministic data generator: a seed and a customer's index give the same customer with
//! the same contacts, interactions, opportunities and orders on every run and every machine.
//! Names, regions, industries and phone numbers look Chinese and real; owners follow a Zipf-like
//! skew (a few sales people own most customers), stages are skewed towards the funnel's top, and a
//! few customers are "busy" (a thousand interactions) for the timeline scenario.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use crm_domain::activities::{Channel, Direction, InteractionFields};
use crm_domain::customers::{
    ContactFields, CustomerFields, CustomerKind, Gender, IdType, LifecycleStage, SizeBand, SourceChannel, ValueTier,
};
use crm_domain::sales::{Currency, OpportunitySource, OrderStatus, StageKind, line_total};
use crm_domain::values::{CreditCode, Email, IdNumber, Phone};
use crm_persistence::bulk::{BulkContact, BulkCustomer, BulkInteraction, BulkOpportunity, BulkOrder, BulkStage, CustomerGraph};
use crm_persistence::sales::lines::Line;

/// Every `BUSY_EVERY`-th customer (counting from `BUSY_OFFSET`) gets `BUSY_INTERACTIONS`.
pub const BUSY_EVERY: u64 = 50_000;
pub const BUSY_OFFSET: u64 = 7;
pub const BUSY_INTERACTIONS: usize = 1_000;

/// The data spans three years up to this day (fixed, so that a seeded run is reproducible).
pub fn data_end() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).single().unwrap_or_default()
}

pub fn data_start() -> DateTime<Utc> {
    data_end() - Duration::days(3 * 365)
}

/// A sales person who can own customers.
#[derive(Debug, Clone)]
pub struct Owner {
    pub id: Uuid,
    pub name: String,
    pub team_id: Uuid,
    /// Index into [`REGIONS`].
    pub region: usize,
}

#[derive(Debug, Clone)]
pub struct Product {
    pub id: Uuid,
    pub sku: String,
    pub name: String,
    pub unit_price_minor: i64,
}

/// What the generator draws from besides its seed: the users, the pipeline and the catalogue.
#[derive(Debug, Clone)]
pub struct World {
    pub seed: u64,
    pub owners: Vec<Owner>,
    /// Cumulative owner weights (Zipf-like, exponent 0.8).
    owner_cdf: Vec<f64>,
    pub pipeline_id: Uuid,
    /// Open stages in order, then won, then lost.
    pub stages: Vec<BulkStage>,
    pub products: Vec<Product>,
    pub created_by: Option<Uuid>,
}

impl World {
    pub fn new(seed: u64, owners: Vec<Owner>, pipeline_id: Uuid, stages: Vec<BulkStage>, products: Vec<Product>) -> Self {
        let mut total = 0.0;
        let owner_cdf = (0..owners.len())
            .map(|i| {
                total += 1.0 / ((i + 1) as f64).powf(0.8);
                total
            })
            .collect();
        Self { seed, owners, owner_cdf, pipeline_id, stages, products, created_by: None }
    }

    fn pick_owner(&self, rng: &mut StdRng) -> &Owner {
        let total = self.owner_cdf.last().copied().unwrap_or(1.0);
        let x = rng.gen_range(0.0..total);
        let index = self.owner_cdf.partition_point(|c| *c < x).min(self.owners.len().saturating_sub(1));
        &self.owners[index]
    }

    /// The id of customer `index` without generating it.
    #[cfg(test)]
    pub fn customer_id(&self, index: u64, total: u64) -> Uuid {
        let mut rng = self.rng_for(index);
        let created_at = created_at_of(index, total, &mut rng);
        uuid_at(&mut rng, created_at)
    }

    fn rng_for(&self, index: u64) -> StdRng {
        StdRng::seed_from_u64(self.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ index)
    }

    /// Customer `index` of `total` with everything under it.
    pub fn customer(&self, index: u64, total: u64) -> CustomerGraph {
        let mut rng = self.rng_for(index);
        let created_at = created_at_of(index, total, &mut rng);
        let id = uuid_at(&mut rng, created_at);
        let owner = self.pick_owner(&mut rng).clone();
        let region = &REGIONS[owner.region];
        let (province, cities) = pick_skewed(&mut rng, region.provinces);
        let (city, districts) = pick_skewed(&mut rng, cities);
        let district = pick_skewed(&mut rng, districts);
        let stage = pick_weighted(
            &mut rng,
            &[
                (LifecycleStage::Potential, 40),
                (LifecycleStage::Prospect, 30),
                (LifecycleStage::Customer, 22),
                (LifecycleStage::Churned, 8),
            ],
        );
        let company = rng.gen_bool(0.85);
        let industry = pick_skewed(&mut rng, INDUSTRIES);
        let name = if company { company_name(&mut rng, province, city, industry.1) } else { person_name(&mut rng) };
        let phone = if company { landline(&mut rng, city) } else { mobile(&mut rng) };
        let mut tags = Vec::new();
        for (tag, p) in TAGS {
            if rng.gen_bool(*p) {
                tags.push((*tag).to_owned());
            }
        }
        let fields = CustomerFields {
            kind: if company { CustomerKind::Company } else { CustomerKind::Individual },
            name,
            industry: company.then(|| industry.0.to_owned()),
            size_band: company.then(|| {
                pick_weighted(
                    &mut rng,
                    &[
                        (SizeBand::Micro, 30),
                        (SizeBand::Small, 35),
                        (SizeBand::Medium, 20),
                        (SizeBand::Large, 10),
                        (SizeBand::Enterprise, 5),
                    ],
                )
            }),
            province: Some(province.to_owned()),
            city: Some(city.to_owned()),
            district: Some(district.to_owned()),
            address: Some(format!("{district}{}路{}号", pick(&mut rng, STREETS), rng.gen_range(1..2000))),
            phone: Some(Phone::from_stored(&phone)),
            email: rng.gen_bool(0.5).then(|| Email::from_stored(&format!("info{index}@{}.com.cn", pick(&mut rng, DOMAINS)))),
            website: None,
            credit_code: company.then(|| CreditCode::from_stored(&credit_code(&mut rng))),
            source_channel: Some(pick_weighted(
                &mut rng,
                &[
                    (SourceChannel::Website, 25),
                    (SourceChannel::Referral, 20),
                    (SourceChannel::Exhibition, 15),
                    (SourceChannel::ColdCall, 15),
                    (SourceChannel::Partner, 10),
                    (SourceChannel::Campaign, 10),
                    (SourceChannel::Other, 5),
                ],
            )),
            lifecycle_stage: stage,
            value_tier: rng.gen_bool(0.6).then(|| pick_weighted(&mut rng, &[(ValueTier::A, 15), (ValueTier::B, 35), (ValueTier::C, 50)])),
            tags,
            custom_fields: Default::default(),
            gender: (!company).then(|| if rng.gen_bool(0.5) { Gender::Male } else { Gender::Female }),
            birthday: None,
            preferences: None,
            notes: None,
            // Individuals carry a resident identity card number, which is stored sealed with a
            // blind index: the load pays for its encryption as a real one would.
            id_type: (!company).then_some(IdType::IdCard),
            id_number: (!company).then(|| IdNumber::from_stored(&resident_id(index))),
            bank_name: None,
            bank_account: None,
        };
        let customer =
            BulkCustomer { id, fields, owner_id: owner.id, team_id: Some(owner.team_id), created_by: self.created_by, created_at };

        let end = data_end();
        let span = (end - created_at).num_seconds().max(1);
        let later = |rng: &mut StdRng| created_at + Duration::seconds(rng.gen_range(0..span));

        let contact_count = pick_weighted(&mut rng, &[(0usize, 5), (1, 30), (2, 35), (3, 20), (4, 10)]);
        let mut contacts = Vec::with_capacity(contact_count);
        for n in 0..contact_count {
            let at = created_at + Duration::seconds(rng.gen_range(0..(span / 10).max(1)));
            let name = person_name(&mut rng);
            let id = uuid_at(&mut rng, at);
            let fields = ContactFields {
                title: Some(pick(&mut rng, TITLES).to_string()),
                department: Some(pick(&mut rng, DEPARTMENTS).to_string()),
                phone: rng.gen_bool(0.3).then(|| Phone::from_stored(&landline(&mut rng, city))),
                mobile: Some(Phone::from_stored(&mobile(&mut rng))),
                email: rng.gen_bool(0.4).then(|| Email::from_stored(&format!("c{index}x{n}@{}.cn", pick(&mut rng, DOMAINS)))),
                wechat: rng.gen_bool(0.3).then(|| format!("wx_{index}_{n}")),
                is_primary: n == 0,
                name,
                birthday: None,
                notes: None,
                id_type: None,
                id_number: None,
                bank_name: None,
                bank_account: None,
                custom_fields: Default::default(),
            };
            contacts.push(BulkContact { id, fields, created_at: at });
        }

        let busy = index % BUSY_EVERY == BUSY_OFFSET;
        let interaction_count = if busy {
            BUSY_INTERACTIONS
        } else {
            pick_weighted(&mut rng, &[(0usize, 10), (1, 15), (2, 20), (3, 20), (4, 13), (5, 10), (6, 5), (8, 4), (10, 3)])
        };
        let mut interactions = Vec::with_capacity(interaction_count);
        for _ in 0..interaction_count {
            let at = later(&mut rng);
            let (channel, subject) = pick(&mut rng, SUBJECTS);
            let id = uuid_at(&mut rng, at);
            let fields = InteractionFields {
                contact_id: (!contacts.is_empty() && rng.gen_bool(0.7)).then(|| contacts[rng.gen_range(0..contacts.len())].id),
                opportunity_id: None,
                ticket_id: None,
                requirement_id: None,
                channel: *channel,
                direction: if rng.gen_bool(0.7) { Direction::Outbound } else { Direction::Inbound },
                occurred_at: at,
                duration_minutes: matches!(channel, Channel::Phone | Channel::Visit | Channel::Meeting).then(|| rng.gen_range(5..120)),
                subject: (*subject).to_owned(),
                content: Some(pick(&mut rng, CONTENTS).to_string()),
                outcome: rng.gen_bool(0.5).then(|| pick(&mut rng, OUTCOMES).to_string()),
                next_step: rng.gen_bool(0.4).then(|| pick(&mut rng, NEXT_STEPS).to_string()),
            };
            interactions.push(BulkInteraction { id, fields, owner_id: owner.id, team_id: Some(owner.team_id) });
        }

        let opportunity_count = pick_weighted(&mut rng, &[(0usize, 575), (1, 350), (2, 75)]);
        let mut opportunities = Vec::with_capacity(opportunity_count);
        let open: Vec<&BulkStage> = self.stages.iter().filter(|s| s.kind == StageKind::Open).collect();
        let won = self.stages.iter().find(|s| s.kind == StageKind::Won);
        let lost = self.stages.iter().find(|s| s.kind == StageKind::Lost);
        for _ in 0..opportunity_count {
            let (Some(first), Some(won), Some(lost)) = (open.first(), won, lost) else { break };
            let at = later(&mut rng);
            let entered = at + Duration::seconds(rng.gen_range(0..(end - at).num_seconds().max(1)));
            let stage = match rng.gen_range(0..100) {
                0..35 => won,
                35..60 => lost,
                _ => open[rng.gen_range(0..open.len())],
            };
            let amount_minor = rng.gen_range(10..5_000) * 100_000;
            opportunities.push(BulkOpportunity {
                id: uuid_at(&mut rng, at),
                name: format!("{}项目", pick(&mut rng, PROJECTS)),
                pipeline_id: self.pipeline_id,
                first_stage: (*first).clone(),
                stage: stage.clone(),
                amount_minor,
                currency: Currency::cny(),
                expected_close_date: Some((entered + Duration::days(rng.gen_range(0..90))).date_naive()),
                source: Some(pick_weighted(
                    &mut rng,
                    &[
                        (OpportunitySource::Referral, 30),
                        (OpportunitySource::Website, 25),
                        (OpportunitySource::Exhibition, 20),
                        (OpportunitySource::ColdCall, 15),
                        (OpportunitySource::Partner, 10),
                    ],
                )),
                owner_id: owner.id,
                owner_name: Some(owner.name.clone()),
                team_id: Some(owner.team_id),
                created_at: at,
                stage_entered_at: if stage.id == first.id { at } else { entered },
            });
        }

        // Orders belong to customers who bought: about one per customer on average overall.
        let buyer = matches!(stage, LifecycleStage::Customer | LifecycleStage::Churned);
        let order_count = if buyer { pick_weighted(&mut rng, &[(1usize, 25), (2, 25), (3, 20), (4, 12), (6, 10), (10, 8)]) } else { 0 };
        let mut orders = Vec::with_capacity(order_count);
        for n in 0..order_count {
            let at = later(&mut rng);
            let status = pick_weighted(
                &mut rng,
                &[
                    (OrderStatus::Fulfilled, 60),
                    (OrderStatus::Confirmed, 25),
                    (OrderStatus::Draft, 5),
                    (OrderStatus::Cancelled, 7),
                    (OrderStatus::Refunded, 3),
                ],
            );
            let line_count = rng.gen_range(1..=3);
            let mut lines = Vec::with_capacity(line_count);
            for _ in 0..line_count {
                if self.products.is_empty() {
                    break;
                }
                let product = &self.products[rng.gen_range(0..self.products.len())];
                let quantity = rng.gen_range(1..20);
                let discount_bp = pick_weighted(&mut rng, &[(0, 70), (500, 15), (1000, 10), (2000, 5)]);
                lines.push(Line {
                    product_id: product.id,
                    sku: product.sku.clone(),
                    product_name: product.name.clone(),
                    quantity,
                    unit_price_minor: product.unit_price_minor,
                    discount_bp,
                    // As the order store prices a line; the generator's amounts always fit.
                    line_total_minor: line_total(quantity, product.unit_price_minor, discount_bp).unwrap_or(0),
                });
            }
            orders.push(BulkOrder {
                id: uuid_at(&mut rng, at),
                number: i64::try_from(index * 16 + n as u64 + 1).unwrap_or(i64::MAX),
                order_date: at.date_naive(),
                status,
                currency: Currency::cny(),
                lines,
                owner_id: owner.id,
                team_id: Some(owner.team_id),
                created_at: at,
                confirmed_at: (status != OrderStatus::Draft).then(|| at + Duration::hours(rng.gen_range(1..72))),
            });
        }
        CustomerGraph { customer, contacts, interactions, opportunities, orders }
    }
}

/// Customers are created in index order across the three years, a little jittered.
fn created_at_of(index: u64, total: u64, rng: &mut StdRng) -> DateTime<Utc> {
    let span = (data_end() - data_start()).num_seconds();
    let base = i64::try_from(index).unwrap_or(0) * span / i64::try_from(total.max(1)).unwrap_or(1);
    data_start() + Duration::seconds((base + rng.gen_range(0..60)).min(span - 1))
}

/// A UUIDv7 with the given time and random bits from the generator.
fn uuid_at(rng: &mut StdRng, at: DateTime<Utc>) -> Uuid {
    let random: [u8; 10] = rng.r#gen();
    uuid::Builder::from_unix_timestamp_millis(u64::try_from(at.timestamp_millis()).unwrap_or(0), &random).into_uuid()
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

/// Picks with weight 1/(i+1): earlier entries are more common.
fn pick_skewed<T: Copy>(rng: &mut StdRng, items: &[T]) -> T {
    let total: f64 = (0..items.len()).map(|i| 1.0 / (i + 1) as f64).sum();
    let mut x = rng.gen_range(0.0..total);
    for (i, item) in items.iter().enumerate() {
        x -= 1.0 / (i + 1) as f64;
        if x < 0.0 {
            return *item;
        }
    }
    items[items.len() - 1]
}

fn pick_weighted<T: Copy>(rng: &mut StdRng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.gen_range(0..total);
    for (item, weight) in items {
        if x < *weight {
            return *item;
        }
        x -= weight;
    }
    items[items.len() - 1].0
}

fn person_name(rng: &mut StdRng) -> String {
    let surname = pick_skewed(rng, SURNAMES);
    let given: String = (0..rng.gen_range(1..=2)).map(|_| *pick(rng, GIVEN)).collect();
    format!("{surname}{given}")
}

fn company_name(rng: &mut StdRng, province: &str, city: &str, words: &[&str]) -> String {
    let place = if rng.gen_bool(0.6) { city.trim_end_matches('市') } else { province.trim_end_matches(['省', '市']) };
    let brand: String = (0..2).map(|_| *pick(rng, BRAND)).collect();
    let word = pick(rng, words);
    let suffix = pick_weighted(rng, &[("有限公司", 70), ("股份有限公司", 15), ("集团有限公司", 10), ("科技有限公司", 5)]);
    format!("{place}{brand}{word}{suffix}")
}

/// A Chinese mobile number in E.164, as the API stores it.
pub fn mobile(rng: &mut StdRng) -> String {
    let prefix = pick(rng, MOBILE_PREFIXES);
    format!("+86{prefix}{:08}", rng.gen_range(0..100_000_000u32))
}

/// A landline of the city's area code in E.164.
pub fn landline(rng: &mut StdRng, city: &str) -> String {
    let code = AREA_CODES.iter().find(|(c, _)| *c == city).map(|(_, code)| *code).unwrap_or("21");
    format!("+86{code}{}{:07}", rng.gen_range(5..7), rng.gen_range(0..10_000_000u32))
}

/// A unified social credit code with a valid check character.
pub fn credit_code(rng: &mut StdRng) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [usize; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let mut digits: Vec<usize> = vec![9, 1];
    digits.extend((0..6).map(|_| rng.gen_range(1..10)));
    digits.extend((0..9).map(|_| rng.gen_range(0..ALPHABET.len())));
    let sum: usize = digits.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
    digits.push((31 - sum % 31) % 31);
    digits.iter().map(|d| char::from(ALPHABET[*d])).collect()
}

/// The report's year: the twelve months before the data's end.
pub fn report_range() -> (NaiveDate, NaiveDate) {
    let end = data_end().date_naive() - Duration::days(1);
    (data_end().date_naive() - Duration::days(365), end)
}

/// A city with its districts.
pub type City = (&'static str, &'static [&'static str]);

pub struct Region {
    pub name: &'static str,
    pub provinces: &'static [(&'static str, &'static [City])],
}

pub const REGIONS: &[Region] = &[
    Region {
        name: "华东大区",
        provinces: &[
            (
                "上海市",
                &[("上海市", &["浦东新区", "徐汇区", "闵行区", "静安区", "长宁区", "杨浦区", "宝山区", "嘉定区", "松江区", "普陀区"])],
            ),
            (
                "江苏省",
                &[
                    ("南京市", &["鼓楼区", "玄武区", "江宁区"]),
                    ("苏州市", &["工业园区", "姑苏区", "吴中区"]),
                    ("无锡市", &["滨湖区", "梁溪区"]),
                ],
            ),
            ("浙江省", &[("杭州市", &["西湖区", "滨江区", "余杭区", "上城区"]), ("宁波市", &["鄞州区", "海曙区"])]),
            ("山东省", &[("济南市", &["历下区", "市中区"]), ("青岛市", &["市南区", "崂山区"])]),
            ("安徽省", &[("合肥市", &["蜀山区", "包河区"])]),
        ],
    },
    Region {
        name: "华北大区",
        provinces: &[
            ("北京市", &[("北京市", &["朝阳区", "海淀区", "东城区", "西城区", "丰台区", "通州区"])]),
            ("天津市", &[("天津市", &["和平区", "南开区", "滨海新区"])]),
            ("河北省", &[("石家庄市", &["长安区", "桥西区"])]),
        ],
    },
    Region {
        name: "华南大区",
        provinces: &[
            ("广东省", &[("广州市", &["天河区", "越秀区", "海珠区", "番禺区"]), ("深圳市", &["南山区", "福田区", "宝安区", "龙岗区"])]),
            ("福建省", &[("厦门市", &["思明区", "湖里区"]), ("福州市", &["鼓楼区", "仓山区"])]),
        ],
    },
    Region {
        name: "西部大区",
        provinces: &[
            ("四川省", &[("成都市", &["武侯区", "锦江区", "高新区"])]),
            ("湖北省", &[("武汉市", &["江汉区", "洪山区", "武昌区"])]),
            ("重庆市", &[("重庆市", &["渝中区", "江北区", "渝北区"])]),
            ("陕西省", &[("西安市", &["雁塔区", "碑林区"])]),
        ],
    },
];

const AREA_CODES: &[(&str, &str)] = &[
    ("上海市", "21"),
    ("北京市", "10"),
    ("天津市", "22"),
    ("重庆市", "23"),
    ("南京市", "25"),
    ("苏州市", "512"),
    ("无锡市", "510"),
    ("杭州市", "571"),
    ("宁波市", "574"),
    ("济南市", "531"),
    ("青岛市", "532"),
    ("合肥市", "551"),
    ("石家庄市", "311"),
    ("广州市", "20"),
    ("深圳市", "755"),
    ("厦门市", "592"),
    ("福州市", "591"),
    ("成都市", "28"),
    ("武汉市", "27"),
    ("西安市", "29"),
];

const MOBILE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155", "156", "157", "158", "159", "180",
    "181", "182", "183", "185", "186", "187", "188", "189", "177", "199",
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁",
    "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程",
    "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏", "韦", "付",
    "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "闫", "段", "雷", "侯", "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝",
    "龚", "邵", "万", "钱",
];

const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞", "平", "刚", "桂",
    "英", "华", "玉", "萍", "红", "鹏", "辉", "建", "国", "文", "志", "海", "燕", "晨", "宇", "浩", "婷", "雪", "琳", "欣", "佳", "俊",
    "嘉", "子", "梓", "涵", "晓", "思", "雨", "天", "一", "博", "泽", "瑞", "昊", "睿", "诗", "怡", "可", "心", "梦", "悦", "航", "凯",
    "毅", "斌", "林",
];

const BRAND: &[&str] = &[
    "浦", "江", "华", "泰", "恒", "信", "达", "通", "联", "创", "盛", "宏", "鑫", "源", "安", "嘉", "瑞", "康", "利", "金", "新", "辰",
    "博", "远", "启", "明", "正", "和", "丰", "润", "海", "天", "中", "德", "宇", "银", "长", "汇", "凯", "腾", "晟", "锦", "诚", "东",
    "方", "永",
];

const INDUSTRIES: &[(&str, &[&str])] = &[
    ("制造业", &["精密机械", "电子", "汽车零部件", "机电设备", "模具", "新材料"]),
    ("信息技术", &["软件", "信息技术", "网络科技", "数据服务", "智能科技"]),
    ("批发零售", &["贸易", "商贸", "供应链", "电子商务"]),
    ("医疗健康", &["医疗器械", "生物科技", "医药", "健康管理"]),
    ("建筑地产", &["建设工程", "装饰工程", "置业", "建材"]),
    ("金融", &["投资管理", "融资租赁", "资产管理"]),
    ("教育", &["教育科技", "培训", "文化传播"]),
    ("物流", &["物流", "国际货运代理", "仓储服务"]),
    ("餐饮酒店", &["餐饮管理", "酒店管理", "食品"]),
    ("能源化工", &["新能源", "化工", "环保科技"]),
];

const TAGS: &[(&str, f64)] = &[("重点客户", 0.08), ("老客户", 0.10), ("展会", 0.05), ("渠道", 0.04), ("政府项目", 0.02), ("需回访", 0.06)];
const STREETS: &[&str] = &["张江", "世纪", "中山", "人民", "解放", "建设", "科技", "创新", "长江", "黄河", "南京", "淮海", "延安", "浦东"];
const DOMAINS: &[&str] = &["huatai", "hengxin", "dachuang", "jinyuan", "ruikang", "zhongde", "haitian", "xinchen", "boyuan", "qiming"];
const TITLES: &[&str] = &["总经理", "采购经理", "技术总监", "财务经理", "行政主管", "销售总监", "工程师", "董事长", "运营经理", "项目经理"];
const DEPARTMENTS: &[&str] = &["采购部", "技术部", "财务部", "行政部", "总经办", "销售部", "运营部", "研发部"];
const SUBJECTS: &[(Channel, &str)] = &[
    (Channel::Phone, "电话回访：确认需求"),
    (Channel::Phone, "电话沟通报价"),
    (Channel::Visit, "上门拜访，演示产品方案"),
    (Channel::Meeting, "方案评审会议"),
    (Channel::Wechat, "微信跟进合同细节"),
    (Channel::Email, "发送报价单与产品资料"),
    (Channel::Sms, "短信提醒续费"),
    (Channel::Note, "内部备注：客户预算调整"),
    (Channel::Visit, "售后回访，收集使用反馈"),
    (Channel::Meeting, "商务谈判：价格与交付周期"),
];
const CONTENTS: &[&str] = &[
    "客户对产品功能比较满意，关注交付周期和售后服务。",
    "对方采购负责人要求下周提供正式报价。",
    "客户正在比较三家供应商，价格是主要考虑因素。",
    "技术部门提出了接口对接的问题，需要工程师支持。",
    "客户预算已批准，计划本季度内签约。",
    "了解到客户明年有扩产计划，存在追加采购机会。",
];
const OUTCOMES: &[&str] = &["客户有意向", "需要再次跟进", "已发送报价", "客户暂无需求", "约定下次拜访", "已确认采购计划"];
const NEXT_STEPS: &[&str] = &["下周电话跟进", "准备正式报价", "安排技术交流", "邀请参观工厂", "发送合同草稿"];
const PROJECTS: &[&str] =
    &["年度采购", "设备升级", "信息化建设", "产线改造", "办公系统", "数据中心", "渠道合作", "售后服务外包", "智能仓储", "营销推广"];

/// A valid 18-character resident identity card number (GB 11643 check digit) unique to `index`:
/// a Shanghai area code, a birth date in 1960–1999 and a sequence number taken from the index.
pub fn resident_id(index: u64) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECKS: &[u8; 11] = b"10X98765432";
    let year = 1960 + index % 40;
    let month = 1 + (index / 40) % 12;
    let day = 1 + (index / 480) % 28;
    let sequence = (index / 13_440) % 1000;
    let body = format!("310101{year:04}{month:02}{day:02}{sequence:03}");
    let sum: u32 = body.bytes().zip(WEIGHTS).map(|(digit, weight)| u32::from(digit - b'0') * weight).sum();
    format!("{body}{}", CHECKS[(sum % 11) as usize] as char)
}

#[cfg(test)]
mod tests {
    #[test]
    fn resident_ids_are_valid_and_distinct() {
        let ids: std::collections::HashSet<String> = (0..20_000).map(super::resident_id).collect();
        assert_eq!(ids.len(), 20_000);
        assert!(ids.iter().all(|id| crm_domain::values::IdNumber::parse(id).unwrap().is_resident_id_card()));
    }

    use super::*;

    fn world() -> World {
        let owners = (0..10)
            .map(|i| Owner {
                id: Uuid::from_u128(i + 1),
                name: format!("销售{i}"),
                team_id: Uuid::from_u128(100),
                region: (i % 4) as usize,
            })
            .collect();
        let stages = vec![
            BulkStage { id: Uuid::from_u128(201), key: "initial_contact".into(), name: "初步接触".into(), kind: StageKind::Open },
            BulkStage { id: Uuid::from_u128(202), key: "proposal".into(), name: "方案提供".into(), kind: StageKind::Open },
            BulkStage { id: Uuid::from_u128(203), key: "won".into(), name: "成交".into(), kind: StageKind::Won },
            BulkStage { id: Uuid::from_u128(204), key: "lost".into(), name: "失败".into(), kind: StageKind::Lost },
        ];
        let products =
            vec![Product { id: Uuid::from_u128(301), sku: "P-1".into(), name: "工业网关".into(), unit_price_minor: 129_900 }];
        World::new(42, owners, Uuid::from_u128(200), stages, products)
    }

    #[test]
    fn the_same_seed_and_index_give_the_same_customer() {
        let world = world();
        let a = world.customer(1234, 10_000);
        let b = world.customer(1234, 10_000);
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
        assert_eq!(world.customer_id(1234, 10_000), a.customer.id);
        assert_ne!(world.customer(1235, 10_000).customer.id, a.customer.id);
    }

    #[test]
    fn generated_phone_numbers_and_credit_codes_are_valid_and_already_normalised() {
        let world = world();
        for index in 0..300 {
            let graph = world.customer(index, 1_000);
            let phones = graph.contacts.iter().flat_map(|c| [c.fields.phone.clone(), c.fields.mobile.clone()]).chain([graph
                .customer
                .fields
                .phone
                .clone()]);
            for phone in phones.flatten().map(|p| p.as_str().to_owned()) {
                assert_eq!(Phone::parse(&phone).map(|p| p.as_str().to_owned()).as_deref(), Ok(phone.as_str()), "{phone}");
            }
            if let Some(code) = graph.customer.fields.credit_code.as_ref().map(|c| c.as_str()) {
                assert!(CreditCode::parse(code).is_ok(), "{code}");
            }
        }
    }

    #[test]
    fn busy_customers_have_a_thousand_interactions_and_the_average_is_about_three() {
        let world = world();
        assert_eq!(world.customer(BUSY_OFFSET, 100_000).interactions.len(), BUSY_INTERACTIONS);
        let counts: Vec<CustomerGraph> = (1000..3000).map(|i| world.customer(i, 100_000)).collect();
        let interactions: usize = counts.iter().map(|g| g.interactions.len()).sum();
        let contacts: usize = counts.iter().map(|g| g.contacts.len()).sum();
        let orders: usize = counts.iter().map(|g| g.orders.len()).sum();
        assert!((2.6..3.4).contains(&(interactions as f64 / 2000.0)), "{interactions}");
        assert!((1.8..2.2).contains(&(contacts as f64 / 2000.0)), "{contacts}");
        assert!((0.8..1.3).contains(&(orders as f64 / 2000.0)), "{orders}");
    }
}
