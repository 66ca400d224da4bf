//! Roles and the permission matrix: who may do what at the counter and in the back office.
//!
//! Role checks live here, in the core, so the UI, the device services and the sync server
//! all enforce the same matrix; hiding a button is a courtesy, [`require`] is the rule.
//! The matrix is a single exhaustive `match` in [`allows`]: adding a role or a permission
//! does not compile until someone decides, for every role, whether it is allowed.
//!
//! | Permission | Owner | Manager | Cashier | Accountant | Auditor |
//! |---|---|---|---|---|---|
//! | `sell` | ✓ | ✓ | ✓ | | |
//! | `refund` | ✓ | ✓ | ✓ | | |
//! | `open_session` | ✓ | ✓ | ✓ | | |
//! | `close_session` | ✓ | ✓ | ✓ | | |
//! | `cash_move` | ✓ | ✓ | ✓ | | |
//! | `count_cash` | ✓ | ✓ | ✓ | | |
//! | `reconcile_step` | ✓ | ✓ | ✓ | | |
//! | `submit_reconciliation` | ✓ | ✓ | ✓ | | |
//! | `approve_reconciliation` | ✓ | ✓ | | | |
//! | `z_close` | ✓ | ✓ | | | |
//! | `manage_catalog` | ✓ | ✓ | | | |
//! | `change_prices` | ✓ | ✓ | | | |
//! | `import_catalog` | ✓ | ✓ | | | |
//! | `recall_lot` | ✓ | ✓ | | | |
//! | `stock_count` | ✓ | ✓ | | | |
//! | `stock_adjust` | ✓ | ✓ | | | |
//! | `manage_orders` | ✓ | ✓ | | | |
//! | `receive_goods` | ✓ | ✓ | | | |
//! | `manage_users` | ✓ | ✓ | | | |
//! | `change_roles` | ✓ | | | | |
//! | `change_settings` | ✓ | | | | |
//! | `view_reports` | ✓ | ✓ | | ✓ | ✓ |
//! | `view_audit` | ✓ | ✓ | | ✓ | ✓ |
//! | `verify_audit` | ✓ | ✓ | | ✓ | ✓ |
//! | `export_data` | ✓ | ✓ | | ✓ | ✓ |
//! | `view_prescriptions` | ✓ | ✓ | | | |
//!
//! Decisions behind the table:
//! - **Owner** (the pharmacist who holds the licence) may do everything, by definition.
//! - **Manager** runs the pharmacy day to day: everything except changing roles and the
//!   pharmacy's settings (thresholds, lockout, VAT table, duty rota). `manage_users` lets a
//!   manager create accounts, reset PINs and disable people; assigning a role is
//!   `change_roles`, so the users service gives a manager-created account the cashier role
//!   and only the owner can raise it. This keeps a manager from promoting themselves.
//! - **Cashier** works one register: sells, refunds, opens and closes its session, records
//!   pay-ins/pay-outs, counts the drawer blind and submits the reconciliation. A cashier may
//!   refund, because refunds at the counter are routine and are reversing entries (nothing is
//!   deleted); the refund service limits a cashier to sales of its own open session, and a
//!   refund of an older sale needs a manager. A cashier records ordonnancier entries as part
//!   of a sale but cannot browse the register (`view_prescriptions`): that is health data
//!   (law 09-08) and stays with the pharmacists.
//! - **Accountant** and **Auditor** only read: reports, the audit trail (and its check) and
//!   exports. Neither sees the ordonnancier, neither closes the day: a Z closing is an act of
//!   the person responsible for the till. The two roles grant the same today; they are kept
//!   apart because one is staff and the other an outsider, and their rights will diverge.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A person's role in one pharmacy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Manager,
    Cashier,
    Accountant,
    Auditor,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Owner, Role::Manager, Role::Cashier, Role::Accountant, Role::Auditor];

    /// The stored and wire code (same as serde).
    pub fn code(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Manager => "manager",
            Role::Cashier => "cashier",
            Role::Accountant => "accountant",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.trim() {
            "owner" => Role::Owner,
            "manager" => Role::Manager,
            "cashier" => Role::Cashier,
            "accountant" => Role::Accountant,
            "auditor" => Role::Auditor,
            _ => return None,
        })
    }

    /// The French name, capitalised for lists and headings.
    pub fn label_fr(self) -> &'static str {
        match self {
            Role::Owner => "Propriétaire",
            Role::Manager => "Gérant",
            Role::Cashier => "Caissier",
            Role::Accountant => "Comptable",
            Role::Auditor => "Auditeur",
        }
    }

    /// Whether this role may do `perm`: see [`allows`].
    pub const fn allows(self, perm: Permission) -> bool {
        allows(self, perm)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_fr())
    }
}

/// Something a person may or may not do. Each write operation checks exactly one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    Sell,
    Refund,
    OpenSession,
    CloseSession,
    /// Pay-in or pay-out of cash outside a sale.
    CashMove,
    CountCash,
    ReconcileStep,
    SubmitReconciliation,
    ApproveReconciliation,
    /// The daily closing with its perpetual grand total.
    ZClose,
    ManageCatalog,
    ChangePrices,
    ImportCatalog,
    RecallLot,
    StockCount,
    StockAdjust,
    ManageOrders,
    ReceiveGoods,
    ManageUsers,
    ChangeRoles,
    ChangeSettings,
    ViewReports,
    ViewAudit,
    VerifyAudit,
    ExportData,
    /// Browse the ordonnancier: patient health data, restricted under law 09-08.
    ViewPrescriptions,
}

impl Permission {
    pub const ALL: [Permission; 26] = [
        Permission::Sell,
        Permission::Refund,
        Permission::OpenSession,
        Permission::CloseSession,
        Permission::CashMove,
        Permission::CountCash,
        Permission::ReconcileStep,
        Permission::SubmitReconciliation,
        Permission::ApproveReconciliation,
        Permission::ZClose,
        Permission::ManageCatalog,
        Permission::ChangePrices,
        Permission::ImportCatalog,
        Permission::RecallLot,
        Permission::StockCount,
        Permission::StockAdjust,
        Permission::ManageOrders,
        Permission::ReceiveGoods,
        Permission::ManageUsers,
        Permission::ChangeRoles,
        Permission::ChangeSettings,
        Permission::ViewReports,
        Permission::ViewAudit,
        Permission::VerifyAudit,
        Permission::ExportData,
        Permission::ViewPrescriptions,
    ];

    /// The stored and wire code (same as serde).
    pub fn code(self) -> &'static str {
        match self {
            Permission::Sell => "sell",
            Permission::Refund => "refund",
            Permission::OpenSession => "open_session",
            Permission::CloseSession => "close_session",
            Permission::CashMove => "cash_move",
            Permission::CountCash => "count_cash",
            Permission::ReconcileStep => "reconcile_step",
            Permission::SubmitReconciliation => "submit_reconciliation",
            Permission::ApproveReconciliation => "approve_reconciliation",
            Permission::ZClose => "z_close",
            Permission::ManageCatalog => "manage_catalog",
            Permission::ChangePrices => "change_prices",
            Permission::ImportCatalog => "import_catalog",
            Permission::RecallLot => "recall_lot",
            Permission::StockCount => "stock_count",
            Permission::StockAdjust => "stock_adjust",
            Permission::ManageOrders => "manage_orders",
            Permission::ReceiveGoods => "receive_goods",
            Permission::ManageUsers => "manage_users",
            Permission::ChangeRoles => "change_roles",
            Permission::ChangeSettings => "change_settings",
            Permission::ViewReports => "view_reports",
            Permission::ViewAudit => "view_audit",
            Permission::VerifyAudit => "verify_audit",
            Permission::ExportData => "export_data",
            Permission::ViewPrescriptions => "view_prescriptions",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Permission::ALL.into_iter().find(|p| p.code() == s)
    }

    /// An infinitive phrase that completes « … ne peut pas » in error messages.
    pub fn label_fr(self) -> &'static str {
        match self {
            Permission::Sell => "vendre",
            Permission::Refund => "rembourser une vente",
            Permission::OpenSession => "ouvrir une session de caisse",
            Permission::CloseSession => "clôturer une session de caisse",
            Permission::CashMove => "faire une entrée ou une sortie de caisse",
            Permission::CountCash => "compter la caisse",
            Permission::ReconcileStep => "saisir une étape de rapprochement",
            Permission::SubmitReconciliation => "soumettre un rapprochement de caisse",
            Permission::ApproveReconciliation => "approuver un rapprochement de caisse",
            Permission::ZClose => "faire la clôture journalière (Z)",
            Permission::ManageCatalog => "modifier le catalogue",
            Permission::ChangePrices => "modifier les prix",
            Permission::ImportCatalog => "importer un catalogue",
            Permission::RecallLot => "rappeler un lot",
            Permission::StockCount => "faire un inventaire",
            Permission::StockAdjust => "ajuster le stock",
            Permission::ManageOrders => "gérer les commandes fournisseurs",
            Permission::ReceiveGoods => "réceptionner une livraison",
            Permission::ManageUsers => "gérer les utilisateurs",
            Permission::ChangeRoles => "changer les rôles",
            Permission::ChangeSettings => "modifier les paramètres de la pharmacie",
            Permission::ViewReports => "consulter les rapports",
            Permission::ViewAudit => "consulter le journal d'audit",
            Permission::VerifyAudit => "vérifier le journal d'audit",
            Permission::ExportData => "exporter les données",
            Permission::ViewPrescriptions => "consulter l'ordonnancier",
        }
    }
}

/// The permission matrix (the table in the module docs). Every role lists every
/// permission, so a new variant is a compile error here until it is placed.
pub const fn allows(role: Role, perm: Permission) -> bool {
    use Permission::*;
    match role {
        Role::Owner => true,
        Role::Manager => match perm {
            ChangeRoles | ChangeSettings => false,
            Sell
            | Refund
            | OpenSession
            | CloseSession
            | CashMove
            | CountCash
            | ReconcileStep
            | SubmitReconciliation
            | ApproveReconciliation
            | ZClose
            | ManageCatalog
            | ChangePrices
            | ImportCatalog
            | RecallLot
            | StockCount
            | StockAdjust
            | ManageOrders
            | ReceiveGoods
            | ManageUsers
            | ViewReports
            | ViewAudit
            | VerifyAudit
            | ExportData
            | ViewPrescriptions => true,
        },
        Role::Cashier => match perm {
            Sell | Refund | OpenSession | CloseSession | CashMove | CountCash | ReconcileStep
            | SubmitReconciliation => true,
            ApproveReconciliation
            | ZClose
            | ManageCatalog
            | ChangePrices
            | ImportCatalog
            | RecallLot
            | StockCount
            | StockAdjust
            | ManageOrders
            | ReceiveGoods
            | ManageUsers
            | ChangeRoles
            | ChangeSettings
            | ViewReports
            | ViewAudit
            | VerifyAudit
            | ExportData
            | ViewPrescriptions => false,
        },
        Role::Accountant | Role::Auditor => match perm {
            ViewReports | ViewAudit | VerifyAudit | ExportData => true,
            Sell
            | Refund
            | OpenSession
            | CloseSession
            | CashMove
            | CountCash
            | ReconcileStep
            | SubmitReconciliation
            | ApproveReconciliation
            | ZClose
            | ManageCatalog
            | ChangePrices
            | ImportCatalog
            | RecallLot
            | StockCount
            | StockAdjust
            | ManageOrders
            | ReceiveGoods
            | ManageUsers
            | ChangeRoles
            | ChangeSettings
            | ViewPrescriptions => false,
        },
    }
}

/// Refusal of an action by role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "Action non autorisée : le rôle {} ne peut pas {}",
    .role.label_fr().to_lowercase(),
    .permission.label_fr()
)]
pub struct Forbidden {
    pub role: Role,
    pub permission: Permission,
}

/// The check every service runs before a write (or a sensitive read).
pub fn require(role: Role, permission: Permission) -> Result<(), Forbidden> {
    if allows(role, permission) { Ok(()) } else { Err(Forbidden { role, permission }) }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn granted(role: Role) -> Vec<Permission> {
        Permission::ALL.into_iter().filter(|p| allows(role, *p)).collect()
    }

    #[test]
    fn owner_may_do_everything() {
        assert_eq!(granted(Role::Owner), Permission::ALL.to_vec());
    }

    #[test]
    fn only_the_owner_changes_roles_and_settings() {
        for role in Role::ALL {
            assert_eq!(allows(role, Permission::ChangeRoles), role == Role::Owner);
            assert_eq!(allows(role, Permission::ChangeSettings), role == Role::Owner);
        }
    }

    #[test]
    fn manager_lacks_only_roles_and_settings() {
        let missing: Vec<_> = Permission::ALL.into_iter().filter(|p| !allows(Role::Manager, *p)).collect();
        assert_eq!(missing, vec![Permission::ChangeRoles, Permission::ChangeSettings]);
    }

    #[test]
    fn cashier_works_the_till_and_nothing_else() {
        use Permission::*;
        assert_eq!(
            granted(Role::Cashier),
            vec![
                Sell,
                Refund,
                OpenSession,
                CloseSession,
                CashMove,
                CountCash,
                ReconcileStep,
                SubmitReconciliation
            ]
        );
    }

    #[test]
    fn accountant_and_auditor_only_read() {
        use Permission::*;
        for role in [Role::Accountant, Role::Auditor] {
            assert_eq!(granted(role), vec![ViewReports, ViewAudit, VerifyAudit, ExportData]);
        }
    }

    #[test]
    fn prescriptions_are_for_pharmacists_only() {
        for role in Role::ALL {
            assert_eq!(
                allows(role, Permission::ViewPrescriptions),
                matches!(role, Role::Owner | Role::Manager)
            );
        }
    }

    #[test]
    fn z_close_and_approval_need_a_manager() {
        for perm in [Permission::ZClose, Permission::ApproveReconciliation] {
            for role in Role::ALL {
                assert_eq!(allows(role, perm), matches!(role, Role::Owner | Role::Manager));
            }
        }
    }

    /// The table in the module docs is what reviewers read: keep it equal to the code.
    #[test]
    fn doc_table_matches_the_matrix() {
        let src = include_str!("role.rs");
        let mut seen = Vec::new();
        for line in src.lines() {
            let Some(row) = line.strip_prefix("//! | `") else {
                continue;
            };
            let (code, rest) = row.split_once('`').unwrap();
            let perm = Permission::parse(code).unwrap();
            let cells: Vec<&str> = rest.split('|').skip(1).take(5).map(str::trim).collect();
            assert_eq!(cells.len(), 5, "{line}");
            for (role, cell) in Role::ALL.into_iter().zip(cells) {
                assert_eq!(cell == "✓", allows(role, perm), "{code} / {}", role.code());
            }
            seen.push(perm);
        }
        assert_eq!(seen, Permission::ALL.to_vec());
    }

    #[test]
    fn require_explains_in_french() {
        assert_eq!(require(Role::Manager, Permission::ZClose), Ok(()));
        let err = require(Role::Cashier, Permission::ChangePrices).unwrap_err();
        assert_eq!(err, Forbidden { role: Role::Cashier, permission: Permission::ChangePrices });
        assert_eq!(err.to_string(), "Action non autorisée : le rôle caissier ne peut pas modifier les prix");
        let err = require(Role::Manager, Permission::ChangeRoles).unwrap_err();
        assert_eq!(err.to_string(), "Action non autorisée : le rôle gérant ne peut pas changer les rôles");
    }

    #[test]
    fn codes_round_trip_and_match_serde() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.code()), Some(role));
            assert_eq!(serde_json::to_string(&role).unwrap(), format!("\"{}\"", role.code()));
        }
        for perm in Permission::ALL {
            assert_eq!(Permission::parse(perm.code()), Some(perm));
            assert_eq!(serde_json::to_string(&perm).unwrap(), format!("\"{}\"", perm.code()));
        }
        assert_eq!(Role::parse("root"), None);
        assert_eq!(Permission::parse("sudo"), None);
    }
}
