//! Who may do what: the permission matrix `resource × action → scope` that roles carry, and the
//! built-in roles a fresh installation starts with.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub mod api_keys;
pub mod two_factor;
mod users;

pub use users::{DEFAULT_LOCALE, DISPLAY_NAME_MAX, LOCALES, NewUser, UserKind, UserPatch, UserSettings, parse_locale};

/// How far an allowed action reaches. Ordered: `none < own < team < all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// The action is not allowed at all (403).
    #[default]
    None,
    /// Only records the user owns.
    Own,
    /// Records owned by anyone in the user's teams or their sub-teams.
    Team,
    /// Every record.
    All,
}

/// What a user does to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Read,
    Create,
    Update,
    Delete,
    Export,
}

/// The scope of each action on one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ActionScopes {
    pub read: Scope,
    pub create: Scope,
    pub update: Scope,
    pub delete: Scope,
    pub export: Scope,
}

impl ActionScopes {
    pub const NONE: Self = Self::uniform(Scope::None);

    pub const fn uniform(scope: Scope) -> Self {
        Self { read: scope, create: scope, update: scope, delete: scope, export: scope }
    }

    pub const fn read_only(scope: Scope) -> Self {
        Self { read: scope, ..Self::NONE }
    }

    pub fn scope(&self, action: Action) -> Scope {
        match action {
            Action::Read => self.read,
            Action::Create => self.create,
            Action::Update => self.update,
            Action::Delete => self.delete,
            Action::Export => self.export,
        }
    }
}

macro_rules! resources {
    ($($field:ident => $variant:ident),+ $(,)?) => {
        /// A part of the CRM that permissions are granted on.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum Resource { $($variant),+ }

        /// A role's permission matrix: for every resource, the scope of every action. Resources
        /// missing from stored or submitted JSON mean "no access", so adding a resource later
        /// grants nothing to existing custom roles.
        // `default` per field, not on the struct: on the struct utoipa documents every field's
        // default as a whole object, which client generators such as openapi-python-client
        // refuse (they drop the schema and everything that uses it).
        #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct Permissions { $(#[serde(default)] pub $field: ActionScopes),+ }

        impl Permissions {
            pub fn for_resource(&self, resource: Resource) -> &ActionScopes {
                match resource { $(Resource::$variant => &self.$field),+ }
            }

            fn for_resource_mut(&mut self, resource: Resource) -> &mut ActionScopes {
                match resource { $(Resource::$variant => &mut self.$field),+ }
            }

            /// The same scope for every action on every resource.
            pub fn uniform(scope: Scope) -> Self {
                Self { $($field: ActionScopes::uniform(scope)),+ }
            }

            /// Read access with the given scope on every resource, nothing else.
            pub fn read_everything(scope: Scope) -> Self {
                Self { $($field: ActionScopes::read_only(scope)),+ }
            }
        }
    };
}

resources! {
    customers => Customers,
    contacts => Contacts,
    activities => Activities,
    sales => Sales,
    service => Service,
    requirements => Requirements,
    marketing => Marketing,
    analytics => Analytics,
    users => Users,
    teams => Teams,
    roles => Roles,
    audit => Audit,
    pii => Pii,
    privacy => Privacy,
}

impl Resource {
    /// The resource as people name it, for refusals ("your role may not read tickets").
    pub fn noun(self) -> crate::Text {
        use crate::text;
        match self {
            Resource::Customers => text!("customers", "客户"),
            Resource::Contacts => text!("contacts", "联系人"),
            Resource::Activities => text!("activities", "跟进活动"),
            Resource::Sales => text!("sales records", "销售数据"),
            Resource::Service => text!("service records", "服务数据"),
            Resource::Requirements => text!("requirements", "客户需求"),
            Resource::Marketing => text!("marketing", "营销数据"),
            Resource::Analytics => text!("analytics", "分析数据"),
            Resource::Users => text!("users", "用户"),
            Resource::Teams => text!("teams", "团队"),
            Resource::Roles => text!("roles", "角色"),
            Resource::Audit => text!("the audit log", "审计日志"),
            Resource::Pii => text!("personal data", "个人信息"),
            Resource::Privacy => text!("personal information requests", "个人信息请求"),
        }
    }
}

impl Action {
    /// The action as people name it, for refusals.
    pub fn verb(self) -> crate::Text {
        use crate::text;
        match self {
            Action::Read => text!("read", "查看"),
            Action::Create => text!("create", "新建"),
            Action::Update => text!("change", "修改"),
            Action::Delete => text!("delete", "删除"),
            Action::Export => text!("export", "导出"),
        }
    }
}

/// "Your role may not <verb> <noun>" in both languages.
pub fn not_allowed(action: Action, resource: Resource) -> crate::Text {
    let (verb, noun) = (action.verb(), resource.noun());
    crate::Text::new(
        format!("your role may not {} {}", verb.get(crate::Lang::En), noun.get(crate::Lang::En)),
        format!("您的角色无权{}{}", verb.get(crate::Lang::ZhCn), noun.get(crate::Lang::ZhCn)),
    )
}

/// The resources that administer access itself. `own` and `team` have no safe meaning on them:
/// "my own user" still let a role rewrite its own role id and password, "my own role" its own
/// matrix, "my team" re-parent a team and so widen every customer scope. Only `none` and `all`
/// are accepted, and `all` on each of users, roles and teams is what makes an administrator.
pub const ADMINISTRATION_RESOURCES: [Resource; 4] = [Resource::Users, Resource::Roles, Resource::Teams, Resource::Audit];

const ACTIONS: [Action; 5] = [Action::Read, Action::Create, Action::Update, Action::Delete, Action::Export];

impl ActionScopes {
    fn scope_mut(&mut self, action: Action) -> &mut Scope {
        match action {
            Action::Read => &mut self.read,
            Action::Create => &mut self.create,
            Action::Update => &mut self.update,
            Action::Delete => &mut self.delete,
            Action::Export => &mut self.export,
        }
    }
}

fn wire_name<T: Serialize>(value: T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

impl Permissions {
    pub fn scope(&self, resource: Resource, action: Action) -> Scope {
        self.for_resource(resource).scope(action)
    }

    /// The cells (`users.update`) that grant `own` or `team` on an administration resource, which
    /// a role may not be saved with.
    pub fn partial_administration_scopes(&self) -> Vec<String> {
        let mut cells = Vec::new();
        for resource in ADMINISTRATION_RESOURCES {
            for action in ACTIONS {
                if matches!(self.scope(resource, action), Scope::Own | Scope::Team) {
                    cells.push(format!("{}.{}", wire_name(resource), wire_name(action)));
                }
            }
        }
        cells
    }

    /// The matrix with `own`/`team` on administration resources read as `none`, for roles stored
    /// before such scopes were refused: they must grant nothing rather than a way to escalate.
    pub fn without_partial_administration(mut self) -> Self {
        for resource in ADMINISTRATION_RESOURCES {
            let scopes = self.for_resource_mut(resource);
            for action in ACTIONS {
                let scope = scopes.scope_mut(action);
                if matches!(*scope, Scope::Own | Scope::Team) {
                    *scope = Scope::None;
                }
            }
        }
        self
    }

    /// Administrators change every user, role and team: only they may grant roles, change a
    /// role's matrix, move teams or change organisation settings.
    pub fn is_administrator(&self) -> bool {
        [Resource::Users, Resource::Roles, Resource::Teams].into_iter().all(|resource| {
            [Action::Create, Action::Update, Action::Delete].into_iter().all(|action| self.scope(resource, action) == Scope::All)
        })
    }
}

/// A role that every installation has; the migration stores them and admins cannot change them.
pub struct BuiltinRole {
    pub key: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub permissions: Permissions,
}

/// A built-in role's name and description in both languages, for showing it to people (what is
/// stored is the English of the seed; built-in roles cannot be renamed).
pub fn builtin_role_text(key: &str) -> Option<(crate::Text, crate::Text)> {
    use crate::text;
    Some(match key {
        "admin" => (
            text!("Administrator", "管理员"),
            text!("Everything, including users, roles and the audit log.", "全部权限，包括用户、角色和审计日志"),
        ),
        "manager" => (text!("Manager", "经理"), text!("Everything their teams and sub-teams own.", "所在团队及下级团队的全部数据")),
        "sales" => (text!("Sales", "销售"), text!("Reads the team's customers, changes their own.", "查看团队的客户，修改自己负责的客户")),
        "marketing" => (text!("Marketing", "市场"), text!("Reads and exports customers, runs campaigns.", "查看和导出客户，开展营销活动")),
        "support" => (text!("Support", "客服"), text!("Serves every customer's tickets and contacts.", "处理所有客户的工单和联系人")),
        "viewer" => (text!("Viewer", "只读"), text!("Reads everything, changes nothing.", "可查看全部数据，不能修改")),
        "integration" => (
            text!("Integration", "系统集成"),
            text!(
                "For ERP and finance systems through API keys: every business record, no administration.",
                "供 ERP 和财务系统通过 API 密钥使用：全部业务数据，无管理权限"
            ),
        ),
        _ => return None,
    })
}

/// The seven built-in roles. Managers reach their teams, sales staff read their team's customers
/// but change only their own, marketing and support read everything they serve from, viewers read
/// and change nothing, and integrations act on all records but administer nothing. Personal data
/// (`pii`) comes in clear to administrators, support and integrations everywhere, to managers in
/// their teams and to sales staff on their own customers; marketing and viewers see it masked.
pub fn builtin_roles() -> Vec<BuiltinRole> {
    use Scope::{All, None as No, Own, Team};
    let business = |scope: Scope| {
        let mut p = Permissions::uniform(scope);
        p.users = ActionScopes::NONE;
        p.teams = ActionScopes::read_only(All);
        p.roles = ActionScopes::read_only(All);
        p.audit = ActionScopes::NONE;
        // Only `read` means anything on personal data: whether phones, emails, addresses and
        // birthdays of the records in scope come in clear or masked.
        p.pii = ActionScopes::read_only(scope);
        // Subject requests, exports and erasure of personal information are for administrators
        // (and roles an administrator grants it to).
        p.privacy = ActionScopes::NONE;
        p
    };
    let sales = {
        let own = ActionScopes { read: Team, create: Own, update: Own, delete: Own, export: No };
        let mut p = business(No);
        p.customers = own;
        p.contacts = own;
        p.activities = own;
        p.sales = own;
        p.service = ActionScopes { read: Team, create: Own, ..ActionScopes::NONE };
        p.requirements = ActionScopes { read: Team, create: Own, update: Own, ..ActionScopes::NONE };
        p.analytics = ActionScopes::read_only(Own);
        p.pii = ActionScopes::read_only(Own);
        p
    };
    let marketing = {
        let mut p = business(No);
        p.customers = ActionScopes { read: All, export: All, ..ActionScopes::NONE };
        p.contacts = ActionScopes { read: All, export: All, ..ActionScopes::NONE };
        p.activities = ActionScopes { read: All, create: Own, update: Own, ..ActionScopes::NONE };
        p.marketing = ActionScopes::uniform(All);
        p.analytics = ActionScopes::read_only(All);
        p.requirements = ActionScopes::read_only(All);
        p
    };
    let support = {
        let mut p = business(No);
        p.customers = ActionScopes::read_only(All);
        p.contacts = ActionScopes { read: All, create: All, update: All, ..ActionScopes::NONE };
        p.activities = ActionScopes { read: All, create: Own, update: Own, ..ActionScopes::NONE };
        p.service = ActionScopes { read: All, create: All, update: All, delete: No, export: All };
        p.requirements = ActionScopes { read: All, create: All, update: Own, ..ActionScopes::NONE };
        p.analytics = ActionScopes::read_only(Team);
        p.pii = ActionScopes::read_only(All);
        p
    };
    let viewer = {
        let mut p = Permissions::read_everything(All);
        p.users = ActionScopes::NONE;
        p.audit = ActionScopes::NONE;
        p.pii = ActionScopes::NONE;
        p.privacy = ActionScopes::NONE;
        p
    };
    // Reads users so that a job can look an owner up by email (migration 021).
    let integration = {
        let mut p = business(All);
        p.users = ActionScopes::read_only(All);
        p
    };
    vec![
        BuiltinRole {
            key: "admin",
            name: "Administrator",
            description: "Everything, including users, roles and the audit log.",
            permissions: Permissions::uniform(All),
        },
        BuiltinRole {
            key: "manager",
            name: "Manager",
            description: "Everything their teams and sub-teams own.",
            permissions: business(Team),
        },
        BuiltinRole { key: "sales", name: "Sales", description: "Reads the team's customers, changes their own.", permissions: sales },
        BuiltinRole {
            key: "marketing",
            name: "Marketing",
            description: "Reads and exports customers, runs campaigns.",
            permissions: marketing,
        },
        BuiltinRole { key: "support", name: "Support", description: "Serves every customer's tickets and contacts.", permissions: support },
        BuiltinRole { key: "viewer", name: "Viewer", description: "Reads everything, changes nothing.", permissions: viewer },
        BuiltinRole {
            key: "integration",
            name: "Integration",
            description: "For ERP and finance systems through API keys: every business record, no administration.",
            permissions: integration,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_role_has_its_words_in_both_languages_matching_the_seed() {
        for role in builtin_roles() {
            let (name, description) = builtin_role_text(role.key).expect(role.key);
            assert_eq!((name.get(crate::Lang::En), description.get(crate::Lang::En)), (role.name, role.description));
            assert!(!name.get(crate::Lang::ZhCn).is_ascii() && !description.get(crate::Lang::ZhCn).is_ascii(), "{}", role.key);
        }
    }

    #[test]
    fn scopes_are_ordered_from_none_to_all() {
        assert!(Scope::None < Scope::Own && Scope::Own < Scope::Team && Scope::Team < Scope::All);
    }

    #[test]
    fn permissions_missing_resources_mean_no_access() {
        let parsed: Permissions = serde_json::from_str(r#"{"customers":{"read":"team"}}"#).unwrap();
        assert_eq!(parsed.scope(Resource::Customers, Action::Read), Scope::Team);
        assert_eq!(parsed.scope(Resource::Customers, Action::Update), Scope::None);
        assert_eq!(parsed.scope(Resource::Users, Action::Read), Scope::None);
    }

    #[test]
    fn permissions_reject_unknown_resources_and_scopes() {
        assert!(serde_json::from_str::<Permissions>(r#"{"planets":{"read":"all"}}"#).is_err());
        assert!(serde_json::from_str::<Permissions>(r#"{"customers":{"read":"some"}}"#).is_err());
    }

    #[test]
    fn builtin_roles_follow_the_access_model() {
        let roles = builtin_roles();
        let role = |key: &str| roles.iter().find(|r| r.key == key).unwrap().permissions.clone();
        assert_eq!(roles.len(), 7);
        assert_eq!(role("admin").scope(Resource::Users, Action::Update), Scope::All);
        assert_eq!(role("manager").scope(Resource::Customers, Action::Update), Scope::Team);
        assert_eq!(role("manager").scope(Resource::Users, Action::Read), Scope::None);
        assert_eq!(role("sales").scope(Resource::Customers, Action::Read), Scope::Team);
        assert_eq!(role("sales").scope(Resource::Customers, Action::Update), Scope::Own);
        assert_eq!(role("viewer").scope(Resource::Customers, Action::Update), Scope::None);
        assert_eq!(role("viewer").scope(Resource::Customers, Action::Read), Scope::All);
        assert_eq!(role("integration").scope(Resource::Roles, Action::Update), Scope::None);
        assert_eq!(role("integration").scope(Resource::Users, Action::Read), Scope::All);
        assert_eq!(role("integration").scope(Resource::Users, Action::Create), Scope::None);
        let personal_data: Vec<Scope> = roles.iter().map(|r| r.permissions.scope(Resource::Pii, Action::Read)).collect();
        // admin, manager, sales, marketing, support, viewer, integration
        assert_eq!(personal_data, [Scope::All, Scope::Team, Scope::Own, Scope::None, Scope::All, Scope::None, Scope::All]);
        assert_eq!(role("admin").scope(Resource::Privacy, Action::Delete), Scope::All);
        for key in ["manager", "sales", "marketing", "support", "viewer", "integration"] {
            assert_eq!(*role(key).for_resource(Resource::Privacy), ActionScopes::NONE, "{key}");
        }
        for builtin in &roles {
            assert!(builtin.permissions.partial_administration_scopes().is_empty(), "{}", builtin.key);
            assert_eq!(builtin.permissions.is_administrator(), builtin.key == "admin", "{}", builtin.key);
        }
    }

    #[test]
    fn own_and_team_scopes_on_administration_resources_are_named_and_read_as_none() {
        let parsed: Permissions =
            serde_json::from_str(r#"{"users":{"read":"own","update":"own"},"roles":{"update":"team"},"customers":{"read":"own"}}"#)
                .unwrap();
        assert_eq!(parsed.partial_administration_scopes(), ["users.read", "users.update", "roles.update"]);
        let safe = parsed.without_partial_administration();
        assert_eq!(safe.scope(Resource::Users, Action::Update), Scope::None);
        assert_eq!(safe.scope(Resource::Roles, Action::Update), Scope::None);
        assert_eq!(safe.scope(Resource::Customers, Action::Read), Scope::Own, "business resources keep their scopes");
        assert!(!Permissions::read_everything(Scope::All).is_administrator());
        assert!(Permissions::uniform(Scope::All).is_administrator());
    }
}
