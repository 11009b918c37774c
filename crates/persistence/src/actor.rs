//! The caller of a storage function: who they are, what their role allows, which teams they reach,
//! and the request they act in (for the audit log).

use crm_domain::identity::{Action, Permissions, Resource, Scope};
use sea_orm::sea_query::ExprTrait;
use sea_orm::sea_query::{Condition, Expr, IntoColumnRef};
use uuid::Uuid;

use crate::Error;

#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Uuid,
    pub display_name: String,
    pub role_key: String,
    pub permissions: Permissions,
    /// The user's own teams.
    pub team_ids: Vec<Uuid>,
    /// The user's teams and every team below them: what `team` scope reaches.
    pub reach_team_ids: Vec<Uuid>,
    pub request_id: Option<String>,
    pub ip: Option<String>,
    /// Set when a customer acts through the portal: `user_id` is then nil and the role grants
    /// nothing, so only the portal's own functions (which check the account) let them act.
    pub portal_account_id: Option<Uuid>,
    /// Set when an integration acts through an API key: `user_id` is then the user the key acts
    /// as, and audit entries name the key.
    pub api_key_id: Option<Uuid>,
    /// The caller asked to read personal data masked even where its `pii` scope reaches
    /// (`Prefer: personal-data=masked`): the web app does, and reveals one record on demand, so
    /// that every clear view by a person is a `reveal` in the audit log.
    pub prefers_masked_personal_data: bool,
    /// Set while an import writes records: their audit entries and events name it, so that a
    /// consumer of the feed can tell (and skip) an import's records, told whole once by
    /// `import.completed`.
    pub import_id: Option<Uuid>,
}

impl Actor {
    /// The scope of `action` on `resource`, or 403 when the role has none.
    pub fn require(&self, resource: Resource, action: Action) -> Result<Scope, Error> {
        match self.permissions.scope(resource, action) {
            Scope::None => Err(Error::Forbidden(crm_domain::identity::not_allowed(action, resource))),
            scope => Ok(scope),
        }
    }

    /// The SQL condition selecting the records that `scope` reaches, for records whose owner and
    /// team live in the given columns. A user always reaches what they own.
    pub fn scope_condition(&self, scope: Scope, owner: impl IntoColumnRef + Clone, team: impl IntoColumnRef) -> Condition {
        match scope {
            Scope::All => Condition::all(),
            Scope::Team => Condition::any().add(Expr::col(owner).eq(self.user_id)).add(Expr::col(team).is_in(self.reach_team_ids.clone())),
            Scope::Own => Condition::all().add(Expr::col(owner).eq(self.user_id)),
            Scope::None => Condition::all().add(Expr::val(1).eq(0)),
        }
    }

    /// Whether a record with this owner and team lies within `scope` (checked in memory for the
    /// record a write is about to produce, e.g. after reassigning the owner).
    pub fn reaches(&self, scope: Scope, owner_id: Uuid, team_id: Option<Uuid>) -> bool {
        match scope {
            Scope::All => true,
            Scope::Team => owner_id == self.user_id || team_id.is_some_and(|t| self.reach_team_ids.contains(&t)),
            Scope::Own => owner_id == self.user_id,
            Scope::None => false,
        }
    }

    /// For a change (any `action` but a read), refuses with `refusal` a record whose owner and
    /// team lie outside the role's scope for `action` on `resource`. A read needs nothing more:
    /// the caller's read scope already chose the row in SQL. The refusal is built only when
    /// needed because it is translated text.
    pub fn require_reach_to_change(
        &self,
        resource: Resource,
        action: Action,
        owner_id: Uuid,
        team_id: Option<Uuid>,
        refusal: impl FnOnce() -> crm_domain::Text,
    ) -> Result<(), Error> {
        if action == Action::Read {
            return Ok(());
        }
        let scope = self.require(resource, action)?;
        if self.reaches(scope, owner_id, team_id) { Ok(()) } else { Err(Error::Forbidden(refusal())) }
    }

    /// Settings of the whole organisation (pipelines, follow-up rules), granting roles, changing
    /// a role's matrix and moving teams are for administrators: those who may change every user,
    /// role and team (any `users.update` scope used to be enough, which let a custom role with
    /// `own` scope make itself an administrator).
    pub fn require_admin(&self) -> Result<(), Error> {
        if self.permissions.is_administrator() {
            Ok(())
        } else {
            Err(Error::Forbidden(crm_domain::text!("only administrators may do this", "只有管理员可以执行此操作")))
        }
    }

    /// Refuses a caller signed in with an API key: managing keys and other people's sessions is
    /// for a person signed in as themselves, so that a leaked key cannot mint keys that outlive
    /// its revocation, lift its own limits, or see where administrators sign in from.
    pub fn require_in_person(&self) -> Result<(), Error> {
        if self.api_key_id.is_some() {
            return Err(Error::Forbidden(crm_domain::text!(
                "API keys cannot do this; sign in as yourself",
                "API 密钥不能执行此操作，请以本人身份登录"
            )));
        }
        Ok(())
    }

    /// A system actor for commands run by an operator (`crm seed`, `crm user create`).
    pub fn system() -> Self {
        Self {
            user_id: Uuid::nil(),
            display_name: "system".into(),
            role_key: "admin".into(),
            permissions: Permissions::uniform(Scope::All),
            team_ids: vec![],
            reach_team_ids: vec![],
            request_id: None,
            ip: None,
            portal_account_id: None,
            api_key_id: None,
            prefers_masked_personal_data: false,
            import_id: None,
        }
    }

    /// A customer acting through the portal, as their portal account, named for audit and timeline.
    pub fn portal(account_id: Uuid, display_name: String, request_id: Option<String>, ip: Option<String>) -> Self {
        Self {
            user_id: Uuid::nil(),
            display_name,
            role_key: "portal".into(),
            permissions: Permissions::default(),
            team_ids: vec![],
            reach_team_ids: vec![],
            request_id,
            ip,
            portal_account_id: Some(account_id),
            api_key_id: None,
            prefers_masked_personal_data: false,
            import_id: None,
        }
    }

    /// The id recorded as the actor in audit and event rows (`None` for the system).
    pub fn audit_id(&self) -> Option<Uuid> {
        if self.user_id.is_nil() { None } else { Some(self.user_id) }
    }
}
