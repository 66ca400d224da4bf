//! Write operations of the device: each checks the actor's permission, reads what the
//! domain needs, lets the pure domain validate and generate facts, then commits them with
//! their audit entry through [`Store::commit`].

mod catalog;
mod counter;
mod forecast;
mod orders;
mod reconcile;
mod setup;
mod stock;

pub use catalog::NewItem;
pub use counter::{SaleOutcome, ScanLine, parse_tender};
pub use forecast::{ForecastError, ForecastLine, ForecastView, MAX_FEEDBACK_COMMENT};
pub use orders::{OrderLineInput, ReceiveLine};
pub use setup::{InitPharmacy, SettingsPatch};

use super::Store;
use super::error::Result;
use crate::audit::AuditDraft;
use crate::ids::AuditId;
use crate::people::{Actor, Permission, require};
use serde_json::Value;

impl Store {
    pub(crate) fn authorize(&self, actor: &Actor, perm: Permission) -> Result<()> {
        require(actor.role, perm)?;
        Ok(())
    }

    pub(crate) fn audit_draft(
        &mut self,
        actor: Option<&Actor>,
        event: &str,
        resource_type: &str,
        resource_id: String,
        metadata: Value,
    ) -> AuditDraft {
        AuditDraft {
            id: AuditId::new(self.ids()),
            device_id: self.device_id,
            at: self.now(),
            actor: actor.map(|a| a.user_id),
            event: event.to_string(),
            resource_type: resource_type.to_string(),
            resource_id,
            metadata,
        }
    }

    /// The pharmacy's calendar date now: the default business date.
    pub fn today(&self) -> Result<chrono::NaiveDate> {
        Ok(self.pharmacy()?.local_date(self.now()))
    }
}
