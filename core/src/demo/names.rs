//! Word lists for the demo data: active substances (real INNs, French spelling) with the
//! forms and strengths they are sold in, invented brand parts and laboratories,
//! parapharmacy and consumable product types, Moroccan surnames for prescribers.
//!
//! Brands, laboratories and parapharmacy lines are invented: demo data must never be
//! mistaken for a real product's price.

/// Which shelf a substance belongs on: over the counter, prescription, or a poison table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Listing {
    Otc,
    Rx,
    /// Tableau A (toxic).
    A,
    /// Tableau B (narcotics).
    B,
    /// Tableau C (dangerous).
    C,
}

/// When in the year demand peaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Season {
    #[default]
    AllYear,
    /// Colds, flu, coughs: November to March.
    Winter,
    /// Pollen allergies: March to June.
    Spring,
    /// Sun, insects, travel diarrhoea: June to September.
    Summer,
}

impl Season {
    /// Demand multiplier by month (January first), averaging about 1 over the year.
    pub fn monthly(self) -> &'static [f64; 12] {
        match self {
            Season::AllYear => &[1.0; 12],
            Season::Winter => &[1.7, 1.6, 1.25, 0.9, 0.7, 0.6, 0.55, 0.55, 0.75, 1.05, 1.4, 1.7],
            Season::Spring => &[0.6, 0.7, 1.2, 1.7, 1.8, 1.4, 0.9, 0.7, 0.8, 0.8, 0.7, 0.6],
            Season::Summer => &[0.45, 0.45, 0.6, 0.8, 1.1, 1.7, 2.1, 2.1, 1.3, 0.7, 0.5, 0.45],
        }
    }
}

/// Pharmaceutical forms, with the French label and how the box is described.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Form {
    Comprime,
    ComprimeEfferv,
    Gelule,
    Sirop,
    SolutionBuvable,
    Suspension,
    Gouttes,
    Creme,
    Pommade,
    Gel,
    Suppositoire,
    Collyre,
    Sachet,
    Ampoule,
    Seringue,
    Stylo,
    SprayNasal,
    Inhalateur,
    Patch,
    Ovule,
}

impl Form {
    pub fn label(self) -> &'static str {
        match self {
            Form::Comprime => "comprimé",
            Form::ComprimeEfferv => "comprimé effervescent",
            Form::Gelule => "gélule",
            Form::Sirop => "sirop",
            Form::SolutionBuvable => "solution buvable",
            Form::Suspension => "suspension buvable",
            Form::Gouttes => "gouttes buvables",
            Form::Creme => "crème",
            Form::Pommade => "pommade",
            Form::Gel => "gel",
            Form::Suppositoire => "suppositoire",
            Form::Collyre => "collyre",
            Form::Sachet => "sachet",
            Form::Ampoule => "ampoule injectable",
            Form::Seringue => "solution injectable en seringue préremplie",
            Form::Stylo => "solution injectable en stylo prérempli",
            Form::SprayNasal => "solution pour pulvérisation nasale",
            Form::Inhalateur => "suspension pour inhalation",
            Form::Patch => "patch transdermique",
            Form::Ovule => "ovule",
        }
    }

    /// Pack sizes sold for this form.
    pub fn counts(self) -> &'static [u32] {
        match self {
            Form::Comprime => &[10, 12, 14, 16, 20, 28, 30, 60],
            Form::ComprimeEfferv => &[10, 16, 20],
            Form::Gelule => &[14, 16, 20, 28, 30],
            Form::Sirop | Form::Suspension => &[60, 100, 125, 150, 200],
            Form::SolutionBuvable => &[90, 125, 150, 250],
            Form::Gouttes => &[10, 15, 20, 30],
            Form::Creme | Form::Pommade | Form::Gel => &[15, 20, 30, 50],
            Form::Suppositoire => &[8, 10, 12],
            Form::Collyre => &[5, 10],
            Form::Sachet => &[10, 12, 20, 30],
            Form::Ampoule => &[1, 3, 5, 10],
            Form::Seringue => &[1, 2, 6, 10],
            Form::Stylo => &[1, 2, 5],
            Form::SprayNasal => &[10, 15, 20],
            Form::Inhalateur => &[120, 200],
            Form::Patch => &[4, 5, 7, 10],
            Form::Ovule => &[1, 3, 6, 12],
        }
    }

    /// "Boîte de 20 comprimés", "Flacon de 125 ml", "Boîte de 1 stylo prérempli".
    pub fn presentation(self, n: u32) -> String {
        let (container, one, many) = match self {
            Form::Comprime => ("Boîte", "comprimé", "comprimés"),
            Form::ComprimeEfferv => ("Tube", "comprimé effervescent", "comprimés effervescents"),
            Form::Gelule => ("Boîte", "gélule", "gélules"),
            Form::Sirop | Form::SolutionBuvable | Form::Suspension | Form::Gouttes | Form::Collyre => {
                ("Flacon", "ml", "ml")
            }
            Form::Creme | Form::Pommade | Form::Gel => ("Tube", "g", "g"),
            Form::Suppositoire => ("Boîte", "suppositoire", "suppositoires"),
            Form::Sachet => ("Boîte", "sachet", "sachets"),
            Form::Ampoule => ("Boîte", "ampoule", "ampoules"),
            Form::Seringue => ("Boîte", "seringue préremplie", "seringues préremplies"),
            Form::Stylo => ("Boîte", "stylo prérempli", "stylos préremplis"),
            Form::SprayNasal => ("Flacon pulvérisateur", "ml", "ml"),
            Form::Inhalateur => ("Flacon pressurisé", "dose", "doses"),
            Form::Patch => ("Boîte", "patch", "patchs"),
            Form::Ovule => ("Boîte", "ovule", "ovules"),
        };
        let unit = if n == 1 { one } else { many };
        format!("{container} de {n} {unit}")
    }
}

/// An active substance (INN) as sold in pharmacies.
#[derive(Clone, Copy, Debug)]
pub struct Substance {
    pub inn: &'static str,
    /// 1 everyday, 2 usual, 3 rarer or costlier, 4 specialty (hundreds to thousands DH).
    pub tier: u8,
    pub listing: Listing,
    pub season: Season,
    /// (form, strength) pairs this substance is sold in.
    pub forms: &'static [(Form, &'static str)],
}

/// `l`: o = OTC, r = prescription, A/B/C = poison tables; `s`: w/s/e = winter, spring,
/// summer, anything else all year.
const fn s(
    inn: &'static str,
    tier: u8,
    l: char,
    season: char,
    forms: &'static [(Form, &'static str)],
) -> Substance {
    let listing = match l {
        'o' => Listing::Otc,
        'A' => Listing::A,
        'B' => Listing::B,
        'C' => Listing::C,
        _ => Listing::Rx,
    };
    let season = match season {
        'w' => Season::Winter,
        's' => Season::Spring,
        'e' => Season::Summer,
        _ => Season::AllYear,
    };
    Substance { inn, tier, listing, season, forms }
}

use Form::*;

#[rustfmt::skip]
pub const SUBSTANCES: &[Substance] = &[
    // Pain, fever, inflammation.
    s("paracétamol", 1, 'o', 'w', &[(Comprime, "500 mg"), (Comprime, "1 g"), (ComprimeEfferv, "1 g"), (Gelule, "500 mg"), (Sirop, "120 mg/5 ml"), (Suspension, "2,4 %"), (Suppositoire, "150 mg"), (Suppositoire, "300 mg"), (Sachet, "500 mg")]),
    s("ibuprofène", 1, 'o', 'w', &[(Comprime, "200 mg"), (Comprime, "400 mg"), (Suspension, "100 mg/5 ml"), (Gelule, "400 mg")]),
    s("acide acétylsalicylique", 1, 'o', '-', &[(Comprime, "100 mg"), (Comprime, "500 mg"), (ComprimeEfferv, "500 mg"), (Sachet, "100 mg")]),
    s("paracétamol / vitamine C", 2, 'o', 'w', &[(ComprimeEfferv, "500 mg/200 mg"), (Sachet, "500 mg/200 mg")]),
    s("paracétamol / pseudoéphédrine / chlorphénamine", 1, 'o', 'w', &[(Comprime, "500 mg/30 mg/2 mg"), (Sachet, "500 mg/60 mg/4 mg")]),
    s("diclofénac", 1, 'r', '-', &[(Comprime, "50 mg"), (Comprime, "75 mg"), (Gel, "1 %"), (Ampoule, "75 mg/3 ml"), (Suppositoire, "100 mg")]),
    s("kétoprofène", 2, 'r', '-', &[(Gelule, "50 mg"), (Comprime, "100 mg"), (Gel, "2,5 %"), (Ampoule, "100 mg/2 ml")]),
    s("naproxène", 2, 'r', '-', &[(Comprime, "275 mg"), (Comprime, "550 mg")]),
    s("piroxicam", 2, 'r', '-', &[(Gelule, "20 mg"), (Gel, "0,5 %")]),
    s("célécoxib", 2, 'r', '-', &[(Gelule, "100 mg"), (Gelule, "200 mg")]),
    s("méloxicam", 2, 'r', '-', &[(Comprime, "7,5 mg"), (Comprime, "15 mg")]),
    s("métamizole sodique", 2, 'r', '-', &[(Comprime, "500 mg"), (Ampoule, "1 g/2 ml"), (Gouttes, "500 mg/ml")]),
    s("néfopam", 3, 'r', '-', &[(Ampoule, "20 mg/2 ml")]),
    s("thiocolchicoside", 2, 'r', '-', &[(Comprime, "4 mg"), (Gelule, "4 mg"), (Ampoule, "4 mg/2 ml")]),
    s("tramadol", 2, 'A', '-', &[(Gelule, "50 mg"), (Comprime, "100 mg"), (Ampoule, "100 mg/2 ml")]),
    s("paracétamol / codéine", 2, 'A', '-', &[(Comprime, "500 mg/30 mg"), (ComprimeEfferv, "500 mg/30 mg")]),
    s("tramadol / paracétamol", 2, 'A', '-', &[(Comprime, "37,5 mg/325 mg")]),
    s("morphine", 3, 'B', '-', &[(Comprime, "10 mg"), (Gelule, "30 mg"), (Ampoule, "10 mg/ml")]),
    s("fentanyl", 3, 'B', '-', &[(Patch, "25 µg/h"), (Patch, "50 µg/h")]),
    s("oxycodone", 3, 'B', '-', &[(Gelule, "5 mg"), (Comprime, "10 mg")]),
    s("buprénorphine", 3, 'B', '-', &[(Comprime, "2 mg"), (Comprime, "8 mg")]),
    s("méthylphénidate", 3, 'B', '-', &[(Comprime, "10 mg"), (Gelule, "20 mg")]),
    s("colchicine", 2, 'A', '-', &[(Comprime, "1 mg")]),
    s("allopurinol", 2, 'r', '-', &[(Comprime, "100 mg"), (Comprime, "300 mg")]),
    // Antibiotics, antifungals, antivirals.
    s("amoxicilline", 1, 'r', 'w', &[(Gelule, "500 mg"), (Comprime, "1 g"), (Suspension, "250 mg/5 ml"), (Suspension, "500 mg/5 ml"), (Sachet, "1 g")]),
    s("amoxicilline / acide clavulanique", 1, 'r', 'w', &[(Comprime, "1 g/125 mg"), (Comprime, "500 mg/62,5 mg"), (Suspension, "100 mg/12,5 mg/ml"), (Sachet, "1 g/125 mg")]),
    s("azithromycine", 1, 'r', 'w', &[(Comprime, "250 mg"), (Comprime, "500 mg"), (Suspension, "200 mg/5 ml")]),
    s("clarithromycine", 2, 'r', 'w', &[(Comprime, "250 mg"), (Comprime, "500 mg"), (Suspension, "125 mg/5 ml")]),
    s("céfixime", 2, 'r', 'w', &[(Comprime, "200 mg"), (Suspension, "100 mg/5 ml")]),
    s("céfuroxime", 2, 'r', 'w', &[(Comprime, "250 mg"), (Comprime, "500 mg")]),
    s("cefpodoxime", 2, 'r', 'w', &[(Comprime, "100 mg"), (Suspension, "40 mg/5 ml")]),
    s("ceftriaxone", 2, 'r', 'w', &[(Ampoule, "1 g"), (Ampoule, "500 mg")]),
    s("ciprofloxacine", 2, 'r', '-', &[(Comprime, "500 mg"), (Comprime, "750 mg")]),
    s("lévofloxacine", 2, 'r', '-', &[(Comprime, "500 mg")]),
    s("ofloxacine", 2, 'r', '-', &[(Comprime, "200 mg"), (Collyre, "0,3 %")]),
    s("doxycycline", 2, 'r', '-', &[(Comprime, "100 mg"), (Gelule, "100 mg")]),
    s("métronidazole", 2, 'r', 'e', &[(Comprime, "250 mg"), (Comprime, "500 mg"), (Suspension, "125 mg/5 ml"), (Ovule, "500 mg")]),
    s("sulfaméthoxazole / triméthoprime", 2, 'r', '-', &[(Comprime, "800 mg/160 mg"), (Suspension, "200 mg/40 mg/5 ml")]),
    s("spiramycine", 2, 'r', 'w', &[(Comprime, "3 MUI"), (Comprime, "1,5 MUI")]),
    s("fosfomycine trométamol", 2, 'r', '-', &[(Sachet, "3 g")]),
    s("nitrofurantoïne", 3, 'r', '-', &[(Gelule, "50 mg"), (Gelule, "100 mg")]),
    s("pristinamycine", 3, 'r', '-', &[(Comprime, "500 mg")]),
    s("érythromycine", 3, 'r', '-', &[(Comprime, "500 mg"), (Gel, "4 %")]),
    s("gentamicine", 3, 'r', '-', &[(Collyre, "0,3 %"), (Ampoule, "80 mg/2 ml")]),
    s("tobramycine", 2, 'r', '-', &[(Collyre, "0,3 %")]),
    s("dexaméthasone / tobramycine", 2, 'r', '-', &[(Collyre, "0,1 %/0,3 %")]),
    s("acide fusidique", 2, 'r', '-', &[(Creme, "2 %"), (Pommade, "2 %"), (Collyre, "1 %")]),
    s("mupirocine", 3, 'r', '-', &[(Pommade, "2 %")]),
    s("fluconazole", 2, 'r', '-', &[(Gelule, "50 mg"), (Gelule, "150 mg")]),
    s("éconazole", 2, 'o', 'e', &[(Creme, "1 %"), (Ovule, "150 mg")]),
    s("kétoconazole", 2, 'r', '-', &[(Creme, "2 %"), (Gel, "2 %")]),
    s("terbinafine", 2, 'r', '-', &[(Comprime, "250 mg"), (Creme, "1 %")]),
    s("miconazole", 2, 'o', '-', &[(Gel, "2 %"), (Creme, "2 %")]),
    s("nystatine", 3, 'r', '-', &[(Suspension, "100 000 UI/ml")]),
    s("aciclovir", 2, 'r', '-', &[(Comprime, "200 mg"), (Comprime, "800 mg"), (Creme, "5 %")]),
    s("valaciclovir", 3, 'r', '-', &[(Comprime, "500 mg")]),
    s("albendazole", 2, 'o', '-', &[(Comprime, "400 mg"), (Suspension, "4 %")]),
    s("mébendazole", 2, 'o', '-', &[(Comprime, "100 mg"), (Suspension, "2 %")]),
    s("ivermectine", 3, 'r', '-', &[(Comprime, "3 mg")]),
    s("hydroxychloroquine", 3, 'r', '-', &[(Comprime, "200 mg")]),
    s("sofosbuvir", 4, 'r', '-', &[(Comprime, "400 mg")]),
    s("ténofovir", 4, 'r', '-', &[(Comprime, "245 mg")]),
    // Digestive.
    s("oméprazole", 1, 'r', '-', &[(Gelule, "20 mg"), (Gelule, "40 mg")]),
    s("ésoméprazole", 1, 'r', '-', &[(Comprime, "20 mg"), (Comprime, "40 mg"), (Gelule, "40 mg")]),
    s("pantoprazole", 2, 'r', '-', &[(Comprime, "20 mg"), (Comprime, "40 mg")]),
    s("lansoprazole", 2, 'r', '-', &[(Gelule, "15 mg"), (Gelule, "30 mg")]),
    s("rabéprazole", 3, 'r', '-', &[(Comprime, "10 mg"), (Comprime, "20 mg")]),
    s("dompéridone", 2, 'r', '-', &[(Comprime, "10 mg"), (Suspension, "1 mg/ml")]),
    s("métoclopramide", 2, 'r', '-', &[(Comprime, "10 mg"), (Ampoule, "10 mg/2 ml"), (Gouttes, "0,1 %")]),
    s("ondansétron", 3, 'r', '-', &[(Comprime, "4 mg"), (Comprime, "8 mg")]),
    s("phloroglucinol", 1, 'o', '-', &[(Comprime, "80 mg"), (Suppositoire, "150 mg"), (Ampoule, "40 mg/4 ml")]),
    s("trimébutine", 2, 'o', '-', &[(Comprime, "100 mg"), (Comprime, "200 mg"), (Suspension, "4,8 mg/ml")]),
    s("mébévérine", 2, 'r', '-', &[(Gelule, "200 mg")]),
    s("butylscopolamine", 2, 'o', '-', &[(Comprime, "10 mg")]),
    s("lopéramide", 2, 'o', 'e', &[(Gelule, "2 mg")]),
    s("racécadotril", 2, 'o', 'e', &[(Gelule, "100 mg"), (Sachet, "10 mg"), (Sachet, "30 mg")]),
    s("diosmectite", 1, 'o', 'e', &[(Sachet, "3 g")]),
    s("Saccharomyces boulardii", 2, 'o', 'e', &[(Gelule, "250 mg"), (Sachet, "100 mg")]),
    s("siméticone", 3, 'o', '-', &[(Gelule, "80 mg"), (Gouttes, "41,2 mg/ml")]),
    s("lactulose", 2, 'o', '-', &[(SolutionBuvable, "66,5 %"), (Sachet, "10 g")]),
    s("macrogol 4000", 2, 'o', '-', &[(Sachet, "10 g"), (Sachet, "4 g")]),
    s("hydroxyde d'aluminium / hydroxyde de magnésium", 2, 'o', '-', &[(Comprime, "400 mg/400 mg"), (Suspension, "3,5 %/4 %")]),
    s("alginate de sodium / bicarbonate de sodium", 2, 'o', '-', &[(Suspension, "500 mg/267 mg/10 ml"), (Sachet, "500 mg/267 mg")]),
    s("ursodésoxycholique (acide)", 3, 'r', '-', &[(Gelule, "250 mg"), (Comprime, "500 mg")]),
    s("bétahistine", 2, 'r', '-', &[(Comprime, "8 mg"), (Comprime, "24 mg")]),
    // Heart and blood vessels.
    s("amlodipine", 1, 'r', '-', &[(Gelule, "5 mg"), (Gelule, "10 mg"), (Comprime, "5 mg"), (Comprime, "10 mg")]),
    s("losartan", 2, 'r', '-', &[(Comprime, "50 mg"), (Comprime, "100 mg")]),
    s("valsartan", 2, 'r', '-', &[(Comprime, "80 mg"), (Comprime, "160 mg")]),
    s("irbésartan", 2, 'r', '-', &[(Comprime, "150 mg"), (Comprime, "300 mg")]),
    s("candésartan", 3, 'r', '-', &[(Comprime, "8 mg"), (Comprime, "16 mg")]),
    s("ramipril", 2, 'r', '-', &[(Comprime, "5 mg"), (Comprime, "10 mg")]),
    s("périndopril", 2, 'r', '-', &[(Comprime, "4 mg"), (Comprime, "5 mg"), (Comprime, "10 mg")]),
    s("énalapril", 2, 'r', '-', &[(Comprime, "5 mg"), (Comprime, "20 mg")]),
    s("captopril", 3, 'r', '-', &[(Comprime, "25 mg"), (Comprime, "50 mg")]),
    s("bisoprolol", 2, 'r', '-', &[(Comprime, "2,5 mg"), (Comprime, "5 mg"), (Comprime, "10 mg")]),
    s("aténolol", 2, 'r', '-', &[(Comprime, "50 mg"), (Comprime, "100 mg")]),
    s("propranolol", 2, 'r', '-', &[(Comprime, "40 mg"), (Gelule, "160 mg")]),
    s("nébivolol", 3, 'r', '-', &[(Comprime, "5 mg")]),
    s("hydrochlorothiazide", 2, 'r', '-', &[(Comprime, "25 mg")]),
    s("furosémide", 2, 'r', '-', &[(Comprime, "40 mg"), (Ampoule, "20 mg/2 ml")]),
    s("spironolactone", 2, 'r', '-', &[(Comprime, "25 mg"), (Comprime, "50 mg")]),
    s("indapamide", 2, 'r', '-', &[(Comprime, "1,5 mg")]),
    s("nifédipine", 3, 'r', '-', &[(Comprime, "20 mg"), (Comprime, "30 mg")]),
    s("diltiazem", 3, 'r', '-', &[(Comprime, "60 mg"), (Gelule, "300 mg")]),
    s("vérapamil", 3, 'r', '-', &[(Comprime, "40 mg"), (Comprime, "240 mg")]),
    s("digoxine", 3, 'A', '-', &[(Comprime, "0,25 mg")]),
    s("amiodarone", 3, 'r', '-', &[(Comprime, "200 mg")]),
    s("trinitrine", 3, 'r', '-', &[(SprayNasal, "0,30 mg/dose"), (Patch, "10 mg/24 h")]),
    s("trimétazidine", 2, 'r', '-', &[(Comprime, "35 mg")]),
    s("clopidogrel", 2, 'r', '-', &[(Comprime, "75 mg")]),
    s("acénocoumarol", 2, 'r', '-', &[(Comprime, "4 mg"), (Comprime, "1 mg")]),
    s("rivaroxaban", 3, 'r', '-', &[(Comprime, "15 mg"), (Comprime, "20 mg")]),
    s("apixaban", 3, 'r', '-', &[(Comprime, "2,5 mg"), (Comprime, "5 mg")]),
    s("énoxaparine", 2, 'r', '-', &[(Seringue, "4 000 UI/0,4 ml"), (Seringue, "6 000 UI/0,6 ml")]),
    s("atorvastatine", 1, 'r', '-', &[(Comprime, "10 mg"), (Comprime, "20 mg"), (Comprime, "40 mg")]),
    s("rosuvastatine", 2, 'r', '-', &[(Comprime, "5 mg"), (Comprime, "10 mg"), (Comprime, "20 mg")]),
    s("simvastatine", 2, 'r', '-', &[(Comprime, "20 mg"), (Comprime, "40 mg")]),
    s("fénofibrate", 2, 'r', '-', &[(Gelule, "200 mg"), (Comprime, "145 mg")]),
    s("diosmine / hespéridine", 1, 'o', 'e', &[(Comprime, "450 mg/50 mg"), (Comprime, "1000 mg")]),
    // Diabetes, thyroid, hormones.
    s("metformine", 1, 'r', '-', &[(Comprime, "500 mg"), (Comprime, "850 mg"), (Comprime, "1000 mg")]),
    s("gliclazide", 1, 'r', '-', &[(Comprime, "30 mg"), (Comprime, "60 mg")]),
    s("glibenclamide", 2, 'r', '-', &[(Comprime, "5 mg")]),
    s("glimépiride", 2, 'r', '-', &[(Comprime, "2 mg"), (Comprime, "4 mg")]),
    s("sitagliptine", 3, 'r', '-', &[(Comprime, "100 mg")]),
    s("vildagliptine", 3, 'r', '-', &[(Comprime, "50 mg")]),
    s("dapagliflozine", 3, 'r', '-', &[(Comprime, "10 mg")]),
    s("empagliflozine", 3, 'r', '-', &[(Comprime, "10 mg"), (Comprime, "25 mg")]),
    s("insuline glargine", 3, 'r', '-', &[(Stylo, "100 UI/ml")]),
    s("insuline asparte", 3, 'r', '-', &[(Stylo, "100 UI/ml")]),
    s("insuline humaine", 2, 'r', '-', &[(Stylo, "100 UI/ml"), (Ampoule, "100 UI/ml")]),
    s("lévothyroxine", 1, 'r', '-', &[(Comprime, "25 µg"), (Comprime, "50 µg"), (Comprime, "75 µg"), (Comprime, "100 µg")]),
    s("thiamazole", 3, 'r', '-', &[(Comprime, "5 mg"), (Comprime, "20 mg")]),
    s("lévonorgestrel / éthinylestradiol", 1, 'r', '-', &[(Comprime, "0,15 mg/0,03 mg")]),
    s("désogestrel", 2, 'r', '-', &[(Comprime, "75 µg")]),
    s("lévonorgestrel", 2, 'o', '-', &[(Comprime, "1,5 mg")]),
    s("progestérone", 2, 'r', '-', &[(Gelule, "100 mg"), (Gelule, "200 mg")]),
    s("dydrogestérone", 3, 'r', '-', &[(Comprime, "10 mg")]),
    s("estradiol", 3, 'r', '-', &[(Gel, "0,06 %"), (Comprime, "2 mg")]),
    s("clomifène", 3, 'r', '-', &[(Comprime, "50 mg")]),
    s("alendronate", 3, 'r', '-', &[(Comprime, "70 mg")]),
    s("tamsulosine", 2, 'r', '-', &[(Gelule, "0,4 mg")]),
    s("alfuzosine", 3, 'r', '-', &[(Comprime, "10 mg")]),
    s("finastéride", 3, 'r', '-', &[(Comprime, "5 mg")]),
    s("sildénafil", 2, 'r', '-', &[(Comprime, "50 mg"), (Comprime, "100 mg")]),
    s("tadalafil", 2, 'r', '-', &[(Comprime, "5 mg"), (Comprime, "20 mg")]),
    // Respiratory, ENT, allergy.
    s("salbutamol", 1, 'r', 'w', &[(Inhalateur, "100 µg/dose"), (Sirop, "2 mg/5 ml"), (Comprime, "2 mg")]),
    s("budésonide", 2, 'r', 'w', &[(Inhalateur, "200 µg/dose"), (SprayNasal, "64 µg/dose")]),
    s("fluticasone", 2, 'r', 's', &[(SprayNasal, "50 µg/dose"), (Inhalateur, "125 µg/dose")]),
    s("béclométasone", 2, 'r', 'w', &[(Inhalateur, "250 µg/dose"), (SprayNasal, "50 µg/dose")]),
    s("montélukast", 2, 'r', 's', &[(Comprime, "10 mg"), (Comprime, "5 mg"), (Sachet, "4 mg")]),
    s("cétirizine", 1, 'o', 's', &[(Comprime, "10 mg"), (Gouttes, "10 mg/ml"), (SolutionBuvable, "1 mg/ml")]),
    s("loratadine", 2, 'o', 's', &[(Comprime, "10 mg"), (Sirop, "1 mg/ml")]),
    s("desloratadine", 1, 'r', 's', &[(Comprime, "5 mg"), (SolutionBuvable, "0,5 mg/ml")]),
    s("lévocétirizine", 2, 'r', 's', &[(Comprime, "5 mg")]),
    s("ébastine", 2, 'r', 's', &[(Comprime, "10 mg"), (Comprime, "20 mg")]),
    s("fexofénadine", 3, 'r', 's', &[(Comprime, "120 mg"), (Comprime, "180 mg")]),
    s("dextrométhorphane", 2, 'o', 'w', &[(Sirop, "15 mg/5 ml"), (Gelule, "15 mg")]),
    s("carbocistéine", 1, 'o', 'w', &[(Sirop, "5 %"), (Sirop, "2 %"), (Sachet, "750 mg")]),
    s("acétylcystéine", 1, 'o', 'w', &[(Sachet, "200 mg"), (ComprimeEfferv, "600 mg")]),
    s("ambroxol", 2, 'o', 'w', &[(Sirop, "30 mg/5 ml"), (Comprime, "30 mg")]),
    s("bromhexine", 2, 'o', 'w', &[(Sirop, "4 mg/5 ml"), (Comprime, "8 mg")]),
    s("oxomémazine", 2, 'C', 'w', &[(Sirop, "0,33 mg/ml")]),
    s("xylométazoline", 2, 'o', 'w', &[(SprayNasal, "0,1 %"), (SprayNasal, "0,05 %")]),
    s("chlorure de sodium", 1, 'o', 'w', &[(SprayNasal, "0,9 %"), (Collyre, "0,9 %")]),
    s("prednisolone", 1, 'r', 'w', &[(ComprimeEfferv, "20 mg"), (ComprimeEfferv, "5 mg"), (SolutionBuvable, "1 mg/ml")]),
    s("prednisone", 2, 'r', '-', &[(Comprime, "5 mg"), (Comprime, "20 mg")]),
    s("bétaméthasone", 2, 'r', '-', &[(Comprime, "2 mg"), (Gouttes, "0,05 %"), (Creme, "0,05 %"), (Ampoule, "4 mg/ml")]),
    s("dexaméthasone", 2, 'r', '-', &[(Comprime, "0,5 mg"), (Ampoule, "4 mg/ml")]),
    s("méthylprednisolone", 3, 'r', '-', &[(Comprime, "16 mg"), (Ampoule, "40 mg")]),
    s("hydrocortisone", 2, 'o', '-', &[(Creme, "1 %"), (Comprime, "10 mg")]),
    // Nervous system (listed).
    s("alprazolam", 2, 'A', '-', &[(Comprime, "0,25 mg"), (Comprime, "0,5 mg")]),
    s("bromazépam", 2, 'A', '-', &[(Comprime, "6 mg")]),
    s("clonazépam", 3, 'A', '-', &[(Comprime, "2 mg"), (Gouttes, "2,5 mg/ml")]),
    s("diazépam", 2, 'A', '-', &[(Comprime, "5 mg"), (Comprime, "10 mg"), (Ampoule, "10 mg/2 ml")]),
    s("zolpidem", 2, 'A', '-', &[(Comprime, "10 mg")]),
    s("phénobarbital", 3, 'A', '-', &[(Comprime, "50 mg"), (Comprime, "100 mg")]),
    s("prégabaline", 2, 'A', '-', &[(Gelule, "75 mg"), (Gelule, "150 mg")]),
    s("amitriptyline", 2, 'A', '-', &[(Comprime, "25 mg"), (Gouttes, "40 mg/ml")]),
    s("halopéridol", 3, 'A', '-', &[(Comprime, "5 mg"), (Gouttes, "2 mg/ml")]),
    s("méthotrexate", 3, 'A', '-', &[(Comprime, "2,5 mg"), (Seringue, "15 mg")]),
    s("isotrétinoïne", 3, 'A', '-', &[(Gelule, "10 mg"), (Gelule, "20 mg")]),
    s("sertraline", 2, 'C', '-', &[(Comprime, "50 mg"), (Gelule, "50 mg")]),
    s("fluoxétine", 2, 'C', '-', &[(Gelule, "20 mg")]),
    s("paroxétine", 2, 'C', '-', &[(Comprime, "20 mg")]),
    s("escitalopram", 2, 'C', '-', &[(Comprime, "10 mg"), (Comprime, "20 mg")]),
    s("venlafaxine", 3, 'C', '-', &[(Gelule, "75 mg"), (Gelule, "150 mg")]),
    s("olanzapine", 3, 'C', '-', &[(Comprime, "5 mg"), (Comprime, "10 mg")]),
    s("rispéridone", 3, 'C', '-', &[(Comprime, "1 mg"), (Comprime, "2 mg")]),
    s("quétiapine", 3, 'C', '-', &[(Comprime, "25 mg"), (Comprime, "300 mg")]),
    s("valproate de sodium", 2, 'C', '-', &[(Comprime, "500 mg"), (SolutionBuvable, "200 mg/ml")]),
    s("lamotrigine", 3, 'C', '-', &[(Comprime, "25 mg"), (Comprime, "100 mg")]),
    s("lévétiracétam", 3, 'C', '-', &[(Comprime, "500 mg"), (Comprime, "1000 mg")]),
    s("carbamazépine", 3, 'C', '-', &[(Comprime, "200 mg"), (Comprime, "400 mg")]),
    s("gabapentine", 3, 'C', '-', &[(Gelule, "300 mg"), (Gelule, "400 mg")]),
    s("hydroxyzine", 2, 'C', '-', &[(Comprime, "25 mg"), (Sirop, "2 mg/ml")]),
    s("sumatriptan", 3, 'r', '-', &[(Comprime, "50 mg")]),
    // Vitamins, minerals, skin, eyes.
    s("cholécalciférol", 1, 'r', 'w', &[(SolutionBuvable, "200 000 UI/ml"), (Gouttes, "10 000 UI/ml")]),
    s("carbonate de calcium / cholécalciférol", 2, 'o', '-', &[(Comprime, "1000 mg/800 UI"), (Sachet, "500 mg/400 UI")]),
    s("sulfate ferreux", 2, 'o', '-', &[(Comprime, "80 mg"), (SolutionBuvable, "50 mg/5 ml")]),
    s("acide folique", 2, 'r', '-', &[(Comprime, "5 mg"), (Comprime, "0,4 mg")]),
    s("acide ascorbique", 1, 'o', 'w', &[(ComprimeEfferv, "1 g"), (Comprime, "500 mg")]),
    s("magnésium / vitamine B6", 2, 'o', '-', &[(Comprime, "48 mg/5 mg"), (SolutionBuvable, "100 mg/10 mg")]),
    s("cyanocobalamine", 3, 'r', '-', &[(Ampoule, "1000 µg/ml")]),
    s("dexpanthénol", 1, 'o', '-', &[(Creme, "5 %"), (Pommade, "5 %")]),
    s("oxyde de zinc", 2, 'o', '-', &[(Pommade, "10 %"), (Creme, "20 %")]),
    s("sulfadiazine argentique", 2, 'r', 'e', &[(Creme, "1 %")]),
    s("adapalène", 2, 'r', '-', &[(Gel, "0,1 %"), (Creme, "0,1 %")]),
    s("peroxyde de benzoyle", 2, 'o', '-', &[(Gel, "5 %"), (Gel, "10 %")]),
    s("perméthrine", 3, 'o', 'e', &[(Creme, "5 %")]),
    s("chlorhexidine", 1, 'o', '-', &[(SolutionBuvable, "0,12 %"), (Gel, "0,5 %")]),
    s("povidone iodée", 1, 'o', '-', &[(Gel, "10 %"), (Ovule, "250 mg")]),
    s("lidocaïne", 3, 'r', '-', &[(Ampoule, "2 %"), (Gel, "2 %")]),
    s("hypromellose", 2, 'o', 's', &[(Collyre, "0,3 %")]),
    s("timolol", 3, 'r', '-', &[(Collyre, "0,5 %")]),
    s("latanoprost", 3, 'r', '-', &[(Collyre, "0,005 %")]),
    s("glucosamine", 3, 'o', '-', &[(Sachet, "1500 mg"), (Gelule, "750 mg")]),
    // Specialty (costly, long-term conditions).
    s("adalimumab", 4, 'r', '-', &[(Stylo, "40 mg/0,4 ml"), (Seringue, "40 mg/0,8 ml")]),
    s("étanercept", 4, 'r', '-', &[(Stylo, "50 mg"), (Seringue, "25 mg")]),
    s("imatinib", 4, 'r', '-', &[(Comprime, "100 mg"), (Comprime, "400 mg")]),
    s("époétine alfa", 4, 'r', '-', &[(Seringue, "4 000 UI"), (Seringue, "10 000 UI")]),
    s("létrozole", 3, 'r', '-', &[(Comprime, "2,5 mg")]),
    s("tamoxifène", 3, 'r', '-', &[(Comprime, "20 mg")]),
    s("interféron bêta-1a", 4, 'r', '-', &[(Stylo, "44 µg/0,5 ml")]),
    s("ranibizumab", 4, 'r', '-', &[(Ampoule, "10 mg/ml")]),
];

/// Brand stems: combined with a middle and a suffix ("Dol" + "i" + "vex").
pub const BRAND_STEMS: &[&str] = &[
    "Dol", "Amo", "Cla", "Zen", "Nor", "Lev", "Fer", "Car", "Glu", "Pan", "Spa", "Xer", "Ome", "Pro", "Neo",
    "Bio", "Med", "Sol", "Tri", "Ato", "Ven", "Lor", "Cet", "Flu", "Gas", "Hep", "Ima", "Kel", "Lyx", "Mag",
    "Nex", "Ort", "Pyr", "Que", "Rho", "Sel", "Tor", "Ulm", "Val", "Vix", "Zol", "Axo", "Bel", "Cyt", "Der",
    "Efa", "Fex", "Gal", "Hyd", "Ine", "Jov", "Kar", "Lum", "Mox", "Nal", "Opt", "Pax", "Rel", "Syn", "Tam",
    "Ura", "Vel", "Xyl", "Yas", "Zyr", "Alg", "Bro", "Cor", "Dia", "Eno", "Fla", "Gly", "Lax", "Myc", "Neb",
    "Osp", "Pep", "Rin", "Sto", "Ter", "Tus", "Vas", "Arc", "Bal", "Cal", "Dex", "Epi", "For", "Hel", "Iso",
    "Lan",
];

pub const BRAND_MIDDLES: &[&str] =
    &["", "", "", "i", "a", "o", "e", "an", "ar", "el", "in", "or", "ex", "ip", "ov", "at", "ur"];

pub const BRAND_SUFFIXES: &[&str] = &[
    "rane", "il", "ax", "ène", "ofen", "ine", "ol", "ium", "ex", "idine", "yl", "or", "on", "ix", "an",
    "ade", "ase", "amil", "pril", "zole", "cort", "derm", "flex", "gyl", "lan", "mox", "nate", "phar",
    "sone", "tal", "tec", "vir", "xine", "zal", "dol", "fen", "lin", "mycine", "sédal", "spir", "stat",
    "tène", "vance", "line", "rex", "vex", "pral", "tane", "cid", "fort",
];

/// Qualifiers some brands carry ("Forte", "Enfant"...).
/// The first three suit syrups and suppositories, the rest tablets.
pub const BRAND_QUALIFIERS: &[&str] =
    &["Enfant", "Nourrisson", "Junior", "Forte", "Plus", "LP", "Rapide", "Retard", "Adulte"];

/// Invented generic laboratories ("Paracétamol Medisud 500 mg").
pub const LABS: &[&str] = &[
    "Atlasgen",
    "Maghrebia",
    "Medisud",
    "Zenitha",
    "Iberlab",
    "Saharmed",
    "Rifpharm",
    "Anfagen",
    "Oasis",
    "Sebou",
    "Tensift",
    "Argania",
    "Noorpharm",
    "Galenix",
    "Medinova",
    "Vitalis",
    "Souss",
    "Toubkal",
    "Ifrane",
    "Mogador",
    "Chellah",
    "Loukkos",
    "Draa",
    "Moulouya",
    "Ziz",
    "Kenzpharm",
    "Amanlab",
    "Nakhla",
    "Yasmine",
    "Orpharm",
];

/// A parapharmacy or consumable product type: how it is named, packed and priced.
#[derive(Clone, Copy, Debug)]
pub struct ProductType {
    /// Start of the item name ("Crème hydratante").
    pub name: &'static str,
    /// Short form label stored in `Item::form` ("crème", "flacon"...).
    pub form: &'static str,
    /// Container for the presentation ("Tube", "Flacon", "Boîte").
    pub container: &'static str,
    /// Unit after the size ("ml", "g", "gélules"); empty when sold as a single piece.
    pub unit: &'static str,
    pub sizes: &'static [u32],
    /// Typical public price in dirhams.
    pub typical_dh: u32,
    pub season: Season,
    /// False for durable goods (thermometer, brush): no expiry to track.
    pub perishable: bool,
}

const fn p(
    name: &'static str,
    form: &'static str,
    container: &'static str,
    unit: &'static str,
    sizes: &'static [u32],
    typical_dh: u32,
    season: char,
) -> ProductType {
    let season = match season {
        'w' => Season::Winter,
        's' => Season::Spring,
        'e' => Season::Summer,
        _ => Season::AllYear,
    };
    ProductType { name, form, container, unit, sizes, typical_dh, season, perishable: true }
}

/// A durable good: same as [`p`] without expiry tracking.
const fn d(name: &'static str, form: &'static str, container: &'static str, typical_dh: u32) -> ProductType {
    ProductType {
        name,
        form,
        container,
        unit: "",
        sizes: &[],
        typical_dh,
        season: Season::AllYear,
        perishable: false,
    }
}

#[rustfmt::skip]
pub const PARAPHARMACY: &[ProductType] = &[
    p("Crème hydratante", "crème", "Tube", "ml", &[40, 50], 95, '-'),
    p("Crème visage peaux sensibles", "crème", "Tube", "ml", &[40, 50], 120, '-'),
    p("Crème anti-rougeurs", "crème", "Tube", "ml", &[40], 135, '-'),
    p("Sérum anti-âge", "sérum", "Flacon", "ml", &[30], 210, '-'),
    p("Crème contour des yeux", "crème", "Tube", "ml", &[15], 150, '-'),
    p("Lait corporel nourrissant", "lait", "Flacon", "ml", &[200, 400], 85, '-'),
    p("Gel nettoyant surgras", "gel", "Flacon", "ml", &[200, 400, 500], 70, '-'),
    p("Eau micellaire", "solution", "Flacon", "ml", &[250, 500], 75, '-'),
    p("Savon surgras", "pain", "Pain", "g", &[100, 150], 28, '-'),
    p("Gel douche doux", "gel", "Flacon", "ml", &[250, 500], 45, '-'),
    p("Shampooing doux", "shampooing", "Flacon", "ml", &[200, 400], 55, '-'),
    p("Shampooing anti-pelliculaire", "shampooing", "Flacon", "ml", &[125, 200], 80, '-'),
    p("Lotion anti-poux", "lotion", "Flacon", "ml", &[100], 90, '-'),
    p("Masque capillaire", "masque", "Pot", "ml", &[200], 85, '-'),
    p("Huile d'argan bio", "huile", "Flacon", "ml", &[50, 100], 95, '-'),
    p("Déodorant 48 h", "déodorant", "Flacon", "ml", &[50, 100], 45, 'e'),
    p("Écran solaire SPF 50+", "crème", "Tube", "ml", &[40, 50, 100], 160, 'e'),
    p("Lait solaire enfant SPF 50+", "lait", "Flacon", "ml", &[100, 200], 170, 'e'),
    p("Spray anti-moustiques", "spray", "Flacon", "ml", &[75, 100], 70, 'e'),
    p("Gel apaisant après-soleil", "gel", "Tube", "ml", &[150, 200], 75, 'e'),
    p("Baume à lèvres", "baume", "Stick", "g", &[4], 30, 'w'),
    p("Crème mains réparatrice", "crème", "Tube", "ml", &[50, 75], 45, 'w'),
    p("Crème pieds secs", "crème", "Tube", "ml", &[75, 100], 60, 'w'),
    p("Crème anti-vergetures", "crème", "Tube", "ml", &[150, 200], 150, '-'),
    p("Gel intime", "gel", "Flacon", "ml", &[200, 250], 60, '-'),
    p("Dentifrice gencives sensibles", "pâte", "Tube", "ml", &[75], 35, '-'),
    p("Bain de bouche", "solution", "Flacon", "ml", &[250, 500], 45, '-'),
    p("Lait infantile 1er âge", "poudre", "Boîte", "g", &[400, 800], 120, '-'),
    p("Lait infantile 2e âge", "poudre", "Boîte", "g", &[400, 800], 110, '-'),
    p("Céréales bébé", "poudre", "Boîte", "g", &[250], 45, '-'),
    p("Couches bébé taille 3", "couches", "Paquet", "couches", &[44, 56], 95, '-'),
    p("Couches bébé taille 4", "couches", "Paquet", "couches", &[40, 52], 95, '-'),
    p("Lingettes bébé", "lingettes", "Paquet", "lingettes", &[64, 72], 25, '-'),
    p("Liniment oléo-calcaire", "liniment", "Flacon", "ml", &[250, 500], 40, '-'),
    p("Crème change bébé", "crème", "Tube", "g", &[50, 100], 55, '-'),
    p("Magnésium marin", "gélule", "Boîte", "gélules", &[30, 60], 80, '-'),
    p("Vitamine C naturelle", "comprimé", "Tube", "comprimés", &[20, 30], 55, 'w'),
    p("Gelée royale", "ampoule", "Boîte", "ampoules", &[10, 20], 110, 'w'),
    p("Oméga 3", "capsule", "Boîte", "capsules", &[30, 60], 120, '-'),
    p("Levure de bière", "gélule", "Boîte", "gélules", &[60, 120], 60, '-'),
    p("Spray nasal eau de mer", "spray", "Flacon", "ml", &[100, 125], 50, 'w'),
    p("Pastilles gorge miel citron", "pastille", "Boîte", "pastilles", &[24, 36], 30, 'w'),
    p("Sirop toux aux plantes", "sirop", "Flacon", "ml", &[150], 55, 'w'),
    p("Tisane digestive", "tisane", "Boîte", "sachets", &[20], 30, '-'),
    d("Brosse à dents souple", "brosse", "Blister", 25),
    d("Biberon anti-colique 250 ml", "biberon", "Boîte", 90),
];

#[rustfmt::skip]
pub const CONSUMABLES: &[ProductType] = &[
    p("Compresses stériles 10 x 10 cm", "compresse", "Boîte", "compresses", &[10, 50, 100], 25, '-'),
    p("Pansements assortis", "pansement", "Boîte", "pansements", &[20, 30, 40], 22, '-'),
    p("Bande extensible 10 cm x 4 m", "bande", "Sachet", "bande", &[1], 12, '-'),
    p("Sparadrap tissu 2,5 cm x 5 m", "sparadrap", "Rouleau", "rouleau", &[1], 15, '-'),
    p("Seringue 5 ml", "seringue", "Sachet", "seringue", &[1], 2, '-'),
    p("Seringue 10 ml", "seringue", "Sachet", "seringue", &[1], 3, '-'),
    p("Gants d'examen nitrile taille M", "gant", "Boîte", "gants", &[100], 75, '-'),
    p("Masques chirurgicaux", "masque", "Boîte", "masques", &[10, 50], 30, 'w'),
    p("Test de grossesse", "test", "Boîte", "test", &[1, 2], 35, '-'),
    p("Alcool modifié 70°", "solution", "Flacon", "ml", &[125, 250, 500], 15, '-'),
    p("Eau oxygénée 10 volumes", "solution", "Flacon", "ml", &[125, 250], 10, '-'),
    p("Coton hydrophile", "coton", "Sachet", "g", &[50, 100, 250], 14, '-'),
    p("Bandelettes glycémie", "bandelette", "Boîte", "bandelettes", &[25, 50], 180, '-'),
    p("Lancettes stériles", "lancette", "Boîte", "lancettes", &[50, 100], 45, '-'),
    p("Sérum physiologique unidoses 5 ml", "unidose", "Boîte", "unidoses", &[20, 40], 25, 'w'),
    p("Poche à urine 2 l", "poche", "Sachet", "poche", &[1], 8, '-'),
    d("Thermomètre digital", "thermomètre", "Boîte", 45),
    d("Attelle de poignet", "attelle", "Boîte", 160),
    d("Bas de contention classe 2", "bas", "Boîte", 320),
    d("Tensiomètre bras automatique", "tensiomètre", "Boîte", 450),
    d("Nébuliseur à compresseur", "nébuliseur", "Boîte", 550),
];

/// Invented parapharmacy brands.
pub const PARA_BRANDS: &[&str] = &[
    "Lumea",
    "Dermalis",
    "Aquaflore",
    "Nuvéa",
    "Biorelle",
    "Sensilia",
    "Hydrane",
    "Clarelle",
    "Avélis",
    "Nacrée",
    "Sérénia",
    "Argalia",
    "Sahara Sun",
    "Purelia",
    "Calméa",
    "Douxderm",
    "Ivoria",
    "Kératis",
    "Oréane",
    "Bébélune",
    "Natura Atlas",
    "Thalassa Maroc",
    "Vitaflor",
    "Essaouira Bio",
    "Cédrelle",
];

/// Invented brands of medical consumables and devices.
pub const CONSUMABLE_BRANDS: &[&str] = &[
    "Medicare+",
    "Sterilis",
    "Soinplus",
    "Pansoft",
    "Hygiatlas",
    "Medistar",
    "Curaplus",
    "Sanitex",
    "Atlas Médical",
    "Protec",
];

/// Public prices (DH) by substance tier (1 to 4): piecewise-linear quantile functions, so
/// that prices are drawn without `exp` or `ln`.
pub const TIER_PRICES: [&[(f64, f64)]; 4] = [
    &[(0.0, 4.5), (0.1, 8.0), (0.25, 12.0), (0.5, 18.5), (0.75, 28.0), (0.9, 42.0), (1.0, 85.0)],
    &[(0.0, 7.0), (0.1, 12.0), (0.25, 17.0), (0.5, 26.0), (0.75, 42.0), (0.9, 66.0), (1.0, 170.0)],
    &[(0.0, 14.0), (0.1, 27.0), (0.25, 42.0), (0.5, 66.0), (0.75, 115.0), (0.9, 200.0), (1.0, 550.0)],
    &[(0.0, 450.0), (0.25, 900.0), (0.5, 1500.0), (0.75, 2600.0), (1.0, 6500.0)],
];

/// Spread around a product type's typical price.
pub const MULTIPLIERS: &[(f64, f64)] =
    &[(0.0, 0.45), (0.25, 0.65), (0.5, 0.82), (0.75, 1.05), (0.95, 1.5), (1.0, 2.2)];

/// GS1 prefixes of imported goods: (first, last, weight).
pub const IMPORT_PREFIXES: &[(u64, u64, u64)] = &[
    (300, 379, 30), // France
    (400, 440, 15), // Germany
    (540, 549, 8),  // Belgium
    (800, 839, 10), // Italy
    (840, 849, 10), // Spain
    (760, 769, 6),  // Switzerland
    (500, 509, 4),  // United Kingdom
    (870, 879, 3),  // Netherlands
    (0, 19, 3),     // United States and Canada
    (619, 619, 2),  // Tunisia
    (868, 869, 2),  // Turkey
];

/// Common Moroccan surnames, for prescribers ("Dr Bennani").
pub const SURNAMES: &[&str] = &[
    "Alaoui",
    "Bennani",
    "Benjelloun",
    "El Idrissi",
    "Tazi",
    "Berrada",
    "Chraibi",
    "Amrani",
    "Bouzidi",
    "El Fassi",
    "Lahlou",
    "Sqalli",
    "Kettani",
    "Benkirane",
    "Ouazzani",
    "Zniber",
    "Hajji",
    "Belkadi",
    "Cherkaoui",
    "El Ouafi",
    "Raji",
    "Naciri",
    "Filali",
    "Mansouri",
    "Rami",
    "Sebti",
    "Guessous",
    "Benmoussa",
    "El Khatib",
    "Ait Ouahmane",
    "Amzil",
    "Bakkali",
    "Boukhari",
    "El Hachimi",
    "Ziani",
    "Benchekroun",
    "Lamrani",
    "Hamdouchi",
    "Kabbaj",
    "Marrakchi",
    "Slaoui",
    "Saidi",
    "Ouali",
    "El Mokhtari",
    "Tahiri",
    "Jabri",
    "Mouline",
    "Essafi",
    "Haddaoui",
    "Ghazi",
];

/// Letters weighted like the initials of Moroccan first names and surnames.
pub const FIRST_INITIALS: &str = "MMMMMMAAAAFFFKKKYYSSSHHHNNRRZZBOILJTWDG";
pub const LAST_INITIALS: &str = "BBBBBEEEAAAMMSSTTKKLLCCFFHHOZRNYDGIJ";
