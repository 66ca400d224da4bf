//! Command-line arguments.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "pharmactl",
    version,
    about = "Pharmacie : opérations en ligne de commande sur la base d'un poste"
)]
pub struct Cli {
    /// The device database (a SQLite file, created if missing).
    #[arg(long, env = "PHARMA_DB", default_value = "pharmacie.db", global = true)]
    pub db: PathBuf,
    /// Machine-readable output.
    #[arg(long, global = true)]
    pub json: bool,
    /// Who acts (login).
    #[arg(long, env = "PHARMA_USER", global = true)]
    pub user: Option<String>,
    /// Their PIN.
    #[arg(long, env = "PHARMA_PIN", global = true, hide_env_values = true)]
    pub pin: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create the pharmacy, its first register and its owner.
    Init(InitArgs),
    #[command(subcommand)]
    Settings(SettingsCmd),
    #[command(subcommand)]
    User(UserCmd),
    #[command(subcommand)]
    Register(RegisterCmd),
    #[command(subcommand)]
    Catalog(CatalogCmd),
    #[command(subcommand)]
    Demo(DemoCmd),
    #[command(subcommand)]
    Session(SessionCmd),
    /// Record a sale.
    Sale(SaleArgs),
    /// What a sale of these lines would come to, priced as `sale` prices it (nothing recorded).
    Quote(QuoteArgs),
    /// Refund (part of) a ticket.
    Refund(RefundArgs),
    /// Cash pay-in or pay-out.
    CashMove(CashMoveArgs),
    #[command(subcommand)]
    Reconcile(ReconcileCmd),
    /// Daily Z closing of a register.
    ZClose(ZCloseArgs),
    /// The day's figures.
    Report(ReportArgs),
    /// The register of dispensed prescriptions (listed drugs), between two dates.
    Ordonnancier(OrdonnancierArgs),
    /// The narcotics ledger (tableau B): every receipt and issue.
    Narcotics,
    #[command(subcommand)]
    Stock(StockCmd),
    #[command(subcommand)]
    Order(crate::forecast_cmd::OrderCommand),
    /// The demand forecast sent by the server: show it, give feedback.
    #[command(subcommand)]
    Forecast(crate::forecast_cmd::ForecastCmd),
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Rebuild every projection from the documents and check the result.
    Rebuild,
    /// Print the projections as JSON.
    Export(ExportArgs),
    /// Join a pharmacy's sync server with a one-time code (the credential goes to the OS
    /// keyring; headless, run under `keyctl session -`).
    Enroll(EnrollArgs),
    /// Sync once with the server (push, then pull); `sync status` shows where it stands.
    Sync(SyncArgs),
}

#[derive(Args, Debug)]
pub struct EnrollArgs {
    /// The sync server, e.g. `https://sync.example.ma`.
    #[arg(long)]
    pub server: String,
    /// The one-time enrollment code given by `pharma-sync-server device enroll-code`.
    #[arg(long, env = "PHARMA_ENROLL_CODE", hide_env_values = true)]
    pub code: String,
    /// This device's name, e.g. "Comptoir 1".
    #[arg(long)]
    pub name: String,
}

#[derive(Args, Debug)]
pub struct SyncArgs {
    #[command(subcommand)]
    pub command: Option<SyncCmd>,
    /// After syncing, compare every document with the server's and fetch what this device
    /// lacks (done by itself once after an upgrade).
    #[arg(long)]
    pub verify: bool,
    /// Push again the documents the server refused and this device holds back (see
    /// `sync status`), e.g. once the server or this software was fixed.
    #[arg(long)]
    pub retry_held: bool,
}

#[derive(Subcommand, Debug)]
pub enum SyncCmd {
    /// Server, last sync, changes waiting, last error, documents held back.
    Status,
}

#[derive(Args, Debug)]
pub struct InitArgs {
    #[arg(long)]
    pub name: String,
    #[arg(long)]
    pub ice: String,
    #[arg(long, default_value = "")]
    pub address: String,
    #[arg(long, default_value = "Africa/Casablanca")]
    pub tz: String,
    #[arg(long)]
    pub owner_login: String,
    #[arg(long)]
    pub owner_name: String,
    #[arg(long)]
    pub owner_pin: String,
    #[arg(long, default_value = "C1")]
    pub register: String,
}

#[derive(Subcommand, Debug)]
pub enum SettingsCmd {
    Show,
    Set {
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        ice: Option<String>,
        #[arg(long)]
        address: Option<String>,
        #[arg(long)]
        tz: Option<String>,
        /// Cash variance above which a manager must approve, e.g. `50` (DH).
        #[arg(long)]
        threshold: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCmd {
    Add {
        login: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        role: String,
        #[arg(long = "new-pin")]
        new_pin: String,
    },
    List,
    Role {
        login: String,
        role: String,
    },
    /// Set a password (8 characters or more) for back-office sign-in.
    Password {
        login: String,
        #[arg(long = "new-password")]
        new_password: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum RegisterCmd {
    Add {
        code: String,
        #[arg(long, default_value = "")]
        name: String,
    },
    List,
}

#[derive(Subcommand, Debug)]
pub enum CatalogCmd {
    /// Import a reference list (CNOPS shape or the pharmacy's own CSV): all rows or none.
    Import { file: PathBuf },
    /// Show an item by barcode.
    Show { barcode: String },
    /// List items (in stock first) whose name, substance or barcode contains TEXT.
    List {
        #[arg(default_value = "")]
        text: String,
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// A new official price from a date.
    Price {
        barcode: String,
        ppv: String,
        #[arg(long)]
        from: Option<String>,
    },
    /// Recall a lot.
    Recall {
        barcode: String,
        lot: String,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum DemoCmd {
    /// Load a believable pharmacy: catalog, stock and a year of sales.
    Seed {
        #[arg(long, default_value_t = 4000)]
        items: usize,
        #[arg(long, default_value_t = 365)]
        days: u32,
        #[arg(long, default_value_t = pharma_core::demo::DEFAULT_SEED)]
        seed: u64,
    },
}

#[derive(Subcommand, Debug)]
pub enum SessionCmd {
    Open {
        #[arg(long, default_value = "C1")]
        register: String,
        /// Opening float by denomination, e.g. `200x2,100x3,10x5`.
        #[arg(long, default_value = "")]
        float: String,
        /// Business date (YYYY-MM-DD), default today in the pharmacy's time zone.
        #[arg(long)]
        date: Option<String>,
        /// Duty (garde) session.
        #[arg(long)]
        duty: bool,
    },
    Close {
        #[arg(long, default_value = "C1")]
        register: String,
    },
    Show {
        #[arg(long, default_value = "C1")]
        register: String,
        #[arg(long)]
        session: Option<String>,
    },
    List,
}

#[derive(Args, Debug)]
pub struct SaleArgs {
    #[arg(long, default_value = "C1")]
    pub register: String,
    /// BARCODE or BARCODE:QTY, repeatable.
    #[arg(long = "line", required = true)]
    pub lines: Vec<String>,
    /// `KIND:AMOUNT[:REFERENCE]`, e.g. `cash:50` or `card:32,40:A12345`; repeatable.
    #[arg(long = "tender", required = true)]
    pub tenders: Vec<String>,
    /// For listed drugs (tableaux A, B, C): the prescriber…
    #[arg(long)]
    pub prescriber: Option<String>,
    /// …and the patient (initials are enough).
    #[arg(long)]
    pub patient: Option<String>,
}

#[derive(Args, Debug)]
pub struct QuoteArgs {
    #[arg(long, default_value = "C1")]
    pub register: String,
    /// BARCODE or BARCODE:QTY, repeatable.
    #[arg(long = "line", required = true)]
    pub lines: Vec<String>,
    /// For listed drugs, as for `sale`.
    #[arg(long)]
    pub prescriber: Option<String>,
    #[arg(long)]
    pub patient: Option<String>,
}

#[derive(Args, Debug)]
pub struct RefundArgs {
    #[arg(long, default_value = "C1")]
    pub register: String,
    /// Ticket number of the original sale (on this register).
    #[arg(long)]
    pub ticket: u64,
    /// LINE_NO or LINE_NO:QTY (line numbers as printed on the ticket); repeatable.
    #[arg(long = "line", required = true)]
    pub lines: Vec<String>,
    /// How the money goes back (KIND:AMOUNT); default: cash, the exact amount.
    #[arg(long = "tender")]
    pub tenders: Vec<String>,
    #[arg(long)]
    pub reason: String,
    /// The boxes go back on the shelf.
    #[arg(long)]
    pub restock: bool,
}

#[derive(Args, Debug)]
pub struct CashMoveArgs {
    #[arg(long, default_value = "C1")]
    pub register: String,
    /// in | out
    pub direction: String,
    pub amount: String,
    #[arg(long)]
    pub reason: String,
}

#[derive(Subcommand, Debug)]
pub enum ReconcileCmd {
    /// Blind count by denomination.
    Count {
        #[arg(long, default_value = "C1")]
        register: String,
        #[arg(long)]
        cash: String,
        #[arg(long)]
        card: Option<String>,
        #[arg(long)]
        mobile_wallet: Option<String>,
        #[arg(long)]
        customer_credit: Option<String>,
        #[arg(long)]
        other: Option<String>,
    },
    Step {
        #[arg(long, default_value = "C1")]
        register: String,
        /// adjustment | transaction_fix | escalation | write_off
        #[arg(long)]
        kind: String,
        #[arg(long, default_value = "0")]
        amount: String,
        #[arg(long, default_value = "cash")]
        tender: String,
        #[arg(long)]
        description: String,
    },
    Submit {
        #[arg(long, default_value = "C1")]
        register: String,
    },
    Approve {
        #[arg(long, default_value = "C1")]
        register: String,
    },
}

#[derive(Args, Debug)]
pub struct ZCloseArgs {
    #[arg(long, default_value = "C1")]
    pub register: String,
    #[arg(long)]
    pub date: Option<String>,
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    #[arg(long)]
    pub date: Option<String>,
}

#[derive(Args, Debug)]
pub struct OrdonnancierArgs {
    /// First day (YYYY-MM-DD), default: 30 days ago.
    #[arg(long)]
    pub from: Option<String>,
    /// Last day, default: today.
    #[arg(long)]
    pub to: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum StockCmd {
    /// Count lots of an item: LOT=QTY, repeatable.
    Count {
        barcode: String,
        counted: Vec<String>,
    },
    Adjust {
        barcode: String,
        #[arg(long)]
        lot: String,
        #[arg(long, allow_hyphen_values = true)]
        delta: i64,
        /// damage | expiry | correction | recall
        #[arg(long)]
        reason: String,
        #[arg(long)]
        note: String,
    },
    /// Stock found on the shelves: a new lot with its quantity.
    Opening {
        barcode: String,
        #[arg(long)]
        lot: String,
        #[arg(long)]
        expiry: String,
        #[arg(long)]
        qty: i64,
        #[arg(long, default_value = "0")]
        cost: String,
    },
    Lots {
        barcode: String,
    },
    Alerts,
}

#[derive(Subcommand, Debug)]
pub enum OrderCmd {
    Create {
        #[arg(long)]
        supplier: String,
        #[arg(long)]
        expected: Option<String>,
        /// BARCODE:QTY:UNIT_COST, repeatable.
        #[arg(long = "line", required = true)]
        lines: Vec<String>,
    },
    Submit {
        order: String,
    },
    Cancel {
        order: String,
    },
    /// LINE_NO:QTY:LOT:EXPIRY, repeatable.
    Receive {
        order: String,
        #[arg(long = "line", required = true)]
        lines: Vec<String>,
        /// Accept quantities beyond what was ordered.
        #[arg(long)]
        confirm_over_receipt: bool,
    },
    Show {
        order: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCmd {
    Verify,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    #[arg(long)]
    pub out: Option<PathBuf>,
}
