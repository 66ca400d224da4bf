//! Creating the pharmacy, its registers and its people; signing in.

use crate::ids::{RegisterId, TenantId, UserId};
use crate::people::{
    Actor, AttemptState, CredentialError, CredentialKind, HashCost, LockoutPolicy, Permission, Role, User,
    UserStatus, hash_secret_with, validate_login, verify_secret,
};
use crate::store::doc::DocId;
use crate::store::error::{Result, StoreError};
use crate::store::{Batch, Store};
use crate::tenant::{Pharmacy, Register, RetentionPolicy, validate_register_code};
use rusqlite::{OptionalExtension, params};
use serde_json::json;

#[derive(Debug, Clone)]
pub struct InitPharmacy {
    pub legal_name: String,
    pub ice: String,
    pub address: String,
    pub time_zone: String,
    pub owner_login: String,
    pub owner_name: String,
    pub owner_pin: String,
    pub register_code: String,
}

impl InitPharmacy {
    /// The demo pharmacy (owner `fatima`, PIN 1234, register C1): demos, tests, benchmarks.
    pub fn demo() -> Self {
        InitPharmacy {
            legal_name: "Pharmacie Al Amal".into(),
            ice: "001234567000089".into(),
            address: "12 boulevard Zerktouni, Casablanca".into(),
            time_zone: "Africa/Casablanca".into(),
            owner_login: "fatima".into(),
            owner_name: "Fatima Benali".into(),
            owner_pin: "1234".into(),
            register_code: "C1".into(),
        }
    }
}

/// Settings to change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct SettingsPatch {
    pub legal_name: Option<String>,
    pub ice: Option<String>,
    pub address: Option<String>,
    pub time_zone: Option<String>,
    pub variance_threshold: Option<crate::money::Money>,
}

fn fields(v: serde_json::Value) -> Vec<(String, serde_json::Value)> {
    match v {
        serde_json::Value::Object(m) => m.into_iter().collect(),
        _ => vec![],
    }
}

impl Store {
    /// Argon2 cost for new hashes; tests lower it, verification reads it from the hash.
    pub fn set_hash_cost(&mut self, cost: HashCost) {
        self.hash_cost = cost;
    }

    fn salt(&mut self) -> [u8; 16] {
        // Two UUIDv7 carry 148 random bits on a device: enough for a unique salt.
        let (a, b) = (self.ids().next_uuid(), self.ids().next_uuid());
        let mut s = [0u8; 16];
        for (i, byte) in s.iter_mut().enumerate() {
            *byte = a.as_bytes()[i] ^ b.as_bytes()[15 - i];
        }
        s
    }

    /// Creates the pharmacy, its first register and its owner. Returns the owner.
    pub fn init_pharmacy(&mut self, init: InitPharmacy) -> Result<Actor> {
        self.write(|this| {
            if this.pharmacy().is_ok() {
                return Err(StoreError::AlreadyInitialized);
            }
            let pharmacy = Pharmacy {
                id: TenantId::new(this.ids()),
                legal_name: init.legal_name.trim().to_string(),
                ice: init.ice.trim().to_string(),
                address: init.address.trim().to_string(),
                time_zone: init.time_zone.trim().to_string(),
                variance_threshold: Pharmacy::DEFAULT_THRESHOLD,
                retention: RetentionPolicy::default(),
            };
            pharmacy.validate()?;
            validate_register_code(&init.register_code)?;
            if !validate_login(&init.owner_login) {
                return Err(StoreError::InvalidLogin(init.owner_login));
            }
            CredentialKind::Pin.validate(&init.owner_pin)?;
            let salt = this.salt();
            let owner = User {
                id: UserId::new(this.ids()),
                login: init.owner_login.clone(),
                display_name: init.owner_name.trim().to_string(),
                role: Role::Owner,
                status: UserStatus::Active,
                pin_hash: Some(hash_secret_with(&init.owner_pin, &salt, this.hash_cost)?),
                password_hash: None,
            };
            let register = Register {
                id: RegisterId::new(this.ids()),
                code: init.register_code.to_uppercase(),
                name: format!("Caisse {}", init.register_code.to_uppercase()),
            };
            let actor = Actor { user_id: owner.id, role: Role::Owner };
            let mut batch = Batch::default();
            for (k, v) in fields(json!(pharmacy)) {
                batch = batch.field("pharmacy", &k, v);
            }
            for (k, v) in fields(json!(register)) {
                batch = batch.field(&format!("register/{}", register.id), &k, v);
            }
            for (k, v) in fields(json!(owner)) {
                batch = batch.field(&format!("user/{}", owner.id), &k, v);
            }
            let a = this.audit_draft(
                Some(&actor),
                "pharmacy_created",
                "pharmacy",
                pharmacy.id.to_string(),
                json!({"legal_name": pharmacy.legal_name, "ice": pharmacy.ice, "owner": owner.login, "register": register.code}),
            );
            this.commit(&DocId::settings(), batch.audit(a))?;
            Ok(actor)
        })
    }

    /// Changes the pharmacy's settings; each changed field is audited with its old value.
    pub fn update_settings(&mut self, actor: &Actor, patch: SettingsPatch) -> Result<Pharmacy> {
        self.write(|this| {
            this.authorize(actor, Permission::ChangeSettings)?;
            let old = this.pharmacy()?;
            let mut new = old.clone();
            if let Some(v) = patch.legal_name {
                new.legal_name = v.trim().to_string();
            }
            if let Some(v) = patch.ice {
                new.ice = v.trim().to_string();
            }
            if let Some(v) = patch.address {
                new.address = v.trim().to_string();
            }
            if let Some(v) = patch.time_zone {
                new.time_zone = v.trim().to_string();
            }
            if let Some(v) = patch.variance_threshold {
                new.variance_threshold = v;
            }
            new.validate()?;
            let (before, after) = (json!(old), json!(new));
            let mut batch = Batch::default();
            let mut changes = serde_json::Map::new();
            for (k, v) in fields(after) {
                if before.get(&k) != Some(&v) {
                    changes.insert(k.clone(), json!({"from": before.get(&k), "to": v}));
                    batch = batch.field("pharmacy", &k, v);
                }
            }
            if changes.is_empty() {
                return Ok(old);
            }
            let a = this.audit_draft(
                Some(actor),
                "settings_changed",
                "pharmacy",
                new.id.to_string(),
                serde_json::Value::Object(changes),
            );
            this.commit(&DocId::settings(), batch.audit(a))?;
            Ok(new)
        })
    }

    pub fn add_register(&mut self, actor: &Actor, code: &str, name: &str) -> Result<Register> {
        self.write(|this| {
            this.authorize(actor, Permission::ChangeSettings)?;
            validate_register_code(code)?;
            if this.register_by_code(code).is_ok() {
                return Err(StoreError::DuplicateRegister(code.to_string()));
            }
            let r = Register {
                id: RegisterId::new(this.ids()),
                code: code.to_uppercase(),
                name: name.trim().to_string(),
            };
            let mut batch = Batch::default();
            for (k, v) in fields(json!(r)) {
                batch = batch.field(&format!("register/{}", r.id), &k, v);
            }
            let a = this.audit_draft(
                Some(actor),
                "register_added",
                "register",
                r.id.to_string(),
                json!({"code": r.code}),
            );
            this.commit(&DocId::settings(), batch.audit(a))?;
            Ok(r)
        })
    }

    pub fn add_user(
        &mut self,
        actor: &Actor,
        login: &str,
        name: &str,
        role: Role,
        pin: &str,
    ) -> Result<User> {
        self.write(|this| {
            this.authorize(actor, Permission::ManageUsers)?;
            // Only someone allowed to change roles may create a manager or an owner.
            if matches!(role, Role::Owner | Role::Manager) {
                this.authorize(actor, Permission::ChangeRoles)?;
            }
            if !validate_login(login) {
                return Err(StoreError::InvalidLogin(login.to_string()));
            }
            if this.user_by_login(login)?.is_some() {
                return Err(StoreError::DuplicateLogin(login.to_string()));
            }
            CredentialKind::Pin.validate(pin)?;
            let salt = this.salt();
            let user = User {
                id: UserId::new(this.ids()),
                login: login.to_string(),
                display_name: name.trim().to_string(),
                role,
                status: UserStatus::Active,
                pin_hash: Some(hash_secret_with(pin, &salt, this.hash_cost)?),
                password_hash: None,
            };
            let mut batch = Batch::default();
            for (k, v) in fields(json!(user)) {
                batch = batch.field(&format!("user/{}", user.id), &k, v);
            }
            let a = this.audit_draft(
                Some(actor),
                "user_added",
                "user",
                user.id.to_string(),
                json!({"login": user.login, "role": role.code()}),
            );
            this.commit(&DocId::settings(), batch.audit(a))?;
            Ok(user)
        })
    }

    /// Sets (or replaces) a person's password, for back-office sign-in beside the PIN.
    /// People change their own; changing someone else's needs `ManageUsers`.
    pub fn set_password(&mut self, actor: &Actor, login: &str, password: &str) -> Result<()> {
        self.write(|this| {
            let user = this
                .user_by_login(login)?
                .ok_or_else(|| StoreError::NotFound { what: "utilisateur", id: login.to_string() })?;
            if user.id != actor.user_id {
                this.authorize(actor, Permission::ManageUsers)?;
            }
            CredentialKind::Password.validate(password)?;
            let salt = this.salt();
            let hash = hash_secret_with(password, &salt, this.hash_cost)?;
            let a = this.audit_draft(
                Some(actor),
                "password_set",
                "user",
                user.id.to_string(),
                json!({"login": login}),
            );
            let batch =
                Batch::default().field(&format!("user/{}", user.id), "password_hash", json!(hash)).audit(a);
            this.commit(&DocId::settings(), batch)
        })
    }

    pub fn set_role(&mut self, actor: &Actor, login: &str, role: Role) -> Result<()> {
        self.write(|this| {
            this.authorize(actor, Permission::ChangeRoles)?;
            let user = this
                .user_by_login(login)?
                .ok_or_else(|| StoreError::NotFound { what: "utilisateur", id: login.to_string() })?;
            let a = this.audit_draft(
                Some(actor),
                "role_changed",
                "user",
                user.id.to_string(),
                json!({"login": login, "from": user.role.code(), "to": role.code()}),
            );
            let batch = Batch::default().field(&format!("user/{}", user.id), "role", json!(role)).audit(a);
            this.commit(&DocId::settings(), batch)
        })
    }

    /// Signs a person in with their PIN (or password), with lock-out after repeated
    /// failures. The attempts counter is local to this device.
    pub fn sign_in(&mut self, login: &str, secret: &str) -> Result<Actor> {
        let policy = LockoutPolicy::default();
        let now = self.now();
        let user = self.user_by_login(login)?.ok_or(StoreError::BadCredentials)?;
        let state = self.attempts(user.id)?;
        state.check(now)?;
        if user.status == UserStatus::Suspended {
            return Err(StoreError::Suspended);
        }
        let ok = match (&user.pin_hash, &user.password_hash) {
            (Some(h), _) if verify_secret(secret, h)? => true,
            (_, Some(h)) => verify_secret(secret, h)?,
            _ => false,
        };
        if !ok {
            let next = state.on_failure(&policy, now);
            self.save_attempts(user.id, &next)?;
            next.check(now)?;
            return Err(StoreError::Credential(CredentialError::WrongPin));
        }
        if state.failures > 0 {
            self.save_attempts(user.id, &AttemptState::on_success())?;
        }
        Ok(Actor { user_id: user.id, role: user.role })
    }

    fn attempts(&self, user: UserId) -> Result<AttemptState> {
        let row: Option<(i64, Option<String>)> = self
            .conn
            .query_row(
                "SELECT failures, locked_until FROM sign_in_attempts WHERE user_id = ?1",
                [user.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(match row {
            None => AttemptState::on_success(),
            Some((failures, until)) => AttemptState {
                failures: failures as u32,
                locked_until: until
                    .and_then(|u| chrono::DateTime::parse_from_rfc3339(&u).ok())
                    .map(|d| d.to_utc()),
            },
        })
    }

    fn save_attempts(&self, user: UserId, s: &AttemptState) -> Result<()> {
        self.conn.execute(
            "INSERT OR REPLACE INTO sign_in_attempts (user_id, failures, locked_until) VALUES (?1, ?2, ?3)",
            params![user.to_string(), s.failures as i64, s.locked_until.map(|d| d.to_rfc3339())],
        )?;
        Ok(())
    }
}
