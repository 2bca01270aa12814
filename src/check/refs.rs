//! Control and clause references (`iso27001:2022/A.5.24`, `iso27001:2022/9.1`,
//! `iso27004:2016/B.5`), checked against the numbering of each framework so that a typo
//! cannot cite a control or clause that does not exist.

use crate::ir::{Framework, Reference};

/// Why a reference is not one.
#[derive(Debug, thiserror::Error)]
pub(super) enum RefError {
    #[error("a reference is written FRAMEWORK:EDITION/ID, as in iso27001:2022/A.5.24")]
    Shape,
    #[error("unknown framework `{0}`; known: iso27001, iso27004, iec62443-3-3, csf, sp800-53")]
    Framework(String),
    #[error("`{name}` references are checked for edition {known}, not `{edition}`")]
    Edition { name: String, known: String, edition: String },
    #[error("`{id}` is not a control of {name}:{edition}; expected {expected}")]
    Id { id: String, name: String, edition: String, expected: &'static str },
}

/// Parses `FRAMEWORK[:EDITION]/ID`; the error says what is wrong and what was expected.
pub(super) fn parse_reference(text: &str) -> Result<Reference, RefError> {
    let (head, id) = text.split_once('/').ok_or(RefError::Shape)?;
    let (name, edition) = match head.split_once(':') {
        Some((n, e)) => (n, Some(e)),
        None => (head, None),
    };
    let (framework, default_edition, editions): (Framework, &str, &[&str]) = match name {
        "iso27001" => (Framework::Iso27001, "2022", &["2022"]),
        "iso27004" => (Framework::Iso27004, "2016", &["2016"]),
        "iec62443-3-3" => (Framework::Iec62443_3_3, "2013", &["2013"]),
        "csf" | "nist-csf" => (Framework::NistCsf, "2.0", &["2.0"]),
        "sp800-53" | "nist800-53" => (Framework::Nist80053, "r5", &["r5"]),
        other => {
            return Err(RefError::Framework(other.to_string()));
        }
    };
    let edition = edition.unwrap_or(default_edition);
    if !editions.contains(&edition) {
        let (name, known, edition) = (name.to_string(), editions.join(", "), edition.to_string());
        return Err(RefError::Edition { name, known, edition });
    }
    let valid = match framework {
        Framework::Iso27001 if !id.starts_with("A.") => iso27001_clause(id),
        Framework::Iso27001 => iso27001_2022(id),
        Framework::Iso27004 => iso27004_2016(id),
        Framework::Iec62443_3_3 => iec62443_3_3(id),
        Framework::NistCsf => csf_2(id),
        Framework::Nist80053 => sp800_53(id),
    };
    valid.map_err(|expected| RefError::Id {
        id: id.to_string(),
        name: name.to_string(),
        edition: edition.to_string(),
        expected,
    })?;
    Ok(Reference { framework, edition: edition.to_string(), id: id.to_string() })
}

fn number(s: &str) -> Option<u32> {
    (!s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit()) && !s.starts_with('0'))
        .then(|| s.parse().ok())
        .flatten()
}

/// Annex A of ISO/IEC 27001:2022: A.5.1-A.5.37, A.6.1-A.6.8, A.7.1-A.7.14, A.8.1-A.8.34.
fn iso27001_2022(id: &str) -> Result<(), &'static str> {
    const EXPECTED: &str =
        "an Annex A control from A.5.1 to A.5.37, A.6.1 to A.6.8, A.7.1 to A.7.14 or A.8.1 to A.8.34";
    let rest = id.strip_prefix("A.").ok_or(EXPECTED)?;
    let (theme, control) = rest.split_once('.').ok_or(EXPECTED)?;
    let max = match number(theme) {
        Some(5) => 37,
        Some(6) => 8,
        Some(7) => 14,
        Some(8) => 34,
        _ => return Err(EXPECTED),
    };
    match number(control) {
        Some(n) if (1..=max).contains(&n) => Ok(()),
        _ => Err(EXPECTED),
    }
}

/// The clauses of ISO/IEC 27001:2022 (4 to 10), to their deepest level: `9.1`, `6.1.2`,
/// `9.3.2`, `10.2`, or a whole clause such as `9`.
fn iso27001_clause(id: &str) -> Result<(), &'static str> {
    const EXPECTED: &str = "an Annex A control (A.5.1 to A.8.34) or a clause from 4 to 10, such as 9.1, 6.1.2 or 10.2";
    /// A clause, its number of subclauses, and those subclauses that have their own
    /// (subclause, count).
    type Clause = (u32, u32, &'static [(u32, u32)]);
    let subclauses: &[Clause] = &[
        (4, 4, &[]),
        (5, 3, &[]),
        (6, 3, &[(1, 3)]),
        (7, 5, &[(5, 3)]),
        (8, 3, &[]),
        (9, 3, &[(2, 2), (3, 3)]),
        (10, 2, &[]),
    ];
    let parts: Vec<Option<u32>> = id.split('.').map(number).collect();
    let (_, subs, deeper) = subclauses.iter().find(|c| parts.first() == Some(&Some(c.0))).ok_or(EXPECTED)?;
    let ok = match parts[1..] {
        [] => true,
        [Some(sub)] => (1..=*subs).contains(&sub),
        [Some(sub), Some(leaf)] => deeper.iter().any(|(s, n)| *s == sub && (1..=*n).contains(&leaf)),
        _ => false,
    };
    if ok { Ok(()) } else { Err(EXPECTED) }
}

/// ISO/IEC 27004:2016: its clauses 1 to 8 (with subclauses, whose depth is not checked
/// against the text), Annex A (the measurement model), Annex B's measurement construct
/// examples B.1 to B.35, and Annex C.
fn iso27004_2016(id: &str) -> Result<(), &'static str> {
    const EXPECTED: &str = "a clause from 1 to 8 (such as 6.2 or 8.4), an annex A, B or C, or an example B.1 to B.35";
    match id.split_once('.') {
        Some(("B", n)) => number(n).filter(|n| (1..=35).contains(n)).map(|_| ()).ok_or(EXPECTED),
        None if ["A", "B", "C"].contains(&id) => Ok(()),
        _ => {
            let parts: Vec<Option<u32>> = id.split('.').map(number).collect();
            let clause_ok = matches!(parts.first(), Some(Some(1..=8)));
            if clause_ok && parts.len() <= 3 && parts.iter().all(Option::is_some) { Ok(()) } else { Err(EXPECTED) }
        }
    }
}

/// IEC 62443-3-3 system requirements `SR 1.1` and enhancements `SR 1.1 RE 1`.
fn iec62443_3_3(id: &str) -> Result<(), &'static str> {
    const EXPECTED: &str = "a system requirement such as `SR 1.1` or `SR 1.1 RE 1` (FR 1 to 7)";
    let rest = id.strip_prefix("SR ").ok_or(EXPECTED)?;
    let (sr, re) = match rest.split_once(" RE ") {
        Some((sr, re)) => (sr, Some(re)),
        None => (rest, None),
    };
    let (fr, n) = sr.split_once('.').ok_or(EXPECTED)?;
    // Number of SRs in each foundational requirement FR 1..7.
    let max = match number(fr) {
        Some(1) => 14,
        Some(2) => 12,
        Some(3) => 9,
        Some(4) => 3,
        Some(5) => 4,
        Some(6) => 2,
        Some(7) => 8,
        _ => return Err(EXPECTED),
    };
    if !number(n).is_some_and(|n| (1..=max).contains(&n)) {
        return Err(EXPECTED);
    }
    match re {
        Some(re) if number(re).is_none() => Err(EXPECTED),
        _ => Ok(()),
    }
}

/// NIST CSF 2.0 subcategories such as `RS.MI-01`.
fn csf_2(id: &str) -> Result<(), &'static str> {
    const EXPECTED: &str = "a CSF 2.0 subcategory such as `RS.MI-01` (functions GV, ID, PR, DE, RS, RC)";
    let (function, rest) = id.split_once('.').ok_or(EXPECTED)?;
    if !["GV", "ID", "PR", "DE", "RS", "RC"].contains(&function) {
        return Err(EXPECTED);
    }
    let (category, sub) = rest.split_once('-').ok_or(EXPECTED)?;
    let ok = category.len() == 2
        && category.bytes().all(|b| b.is_ascii_uppercase())
        && sub.len() == 2
        && sub.bytes().all(|b| b.is_ascii_digit());
    if ok { Ok(()) } else { Err(EXPECTED) }
}

/// NIST SP 800-53 r5 controls such as `AC-2` and enhancements `AC-2(1)`.
fn sp800_53(id: &str) -> Result<(), &'static str> {
    const EXPECTED: &str = "a control such as `AC-2` or `AC-2(1)`";
    const FAMILIES: &[&str] = &[
        "AC", "AT", "AU", "CA", "CM", "CP", "IA", "IR", "MA", "MP", "PE", "PL", "PM", "PS", "PT", "RA", "SA", "SC",
        "SI", "SR",
    ];
    let (family, rest) = id.split_once('-').ok_or(EXPECTED)?;
    if !FAMILIES.contains(&family) {
        return Err(EXPECTED);
    }
    let (control, enhancement) = match rest.split_once('(') {
        Some((c, e)) => (c, Some(e.strip_suffix(')').ok_or(EXPECTED)?)),
        None => (rest, None),
    };
    if number(control).is_none() || enhancement.is_some_and(|e| number(e).is_none()) {
        return Err(EXPECTED);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_reference;

    #[test]
    fn accepts_the_formats_of_spec_section_5() {
        for ok in [
            "iso27001:2022/A.5.1",
            "iso27001:2022/A.8.34",
            "iec62443-3-3/SR 6.2",
            "iec62443-3-3/SR 1.1 RE 1",
            "csf:2.0/RS.MI-01",
            "sp800-53:r5/AC-2(1)",
            "iso27001:2022/9.1",
            "iso27001:2022/6.1.2",
            "iso27001:2022/9.3.3",
            "iso27001:2022/10.2",
            "iso27004:2016/6.2",
            "iso27004:2016/B.35",
        ] {
            assert!(parse_reference(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn prints_as_written_with_the_edition() {
        for text in ["iso27001:2022/A.5.24", "csf:2.0/RS.MI-01", "sp800-53:r5/AC-2(1)"] {
            assert_eq!(parse_reference(text).unwrap().to_string(), text);
        }
        // The edition is filled in where it was left out.
        assert_eq!(parse_reference("iec62443-3-3/SR 6.2").unwrap().to_string(), "iec62443-3-3:2013/SR 6.2");
    }

    #[test]
    fn rejects_controls_that_do_not_exist() {
        for bad in [
            "iso27001:2022/A.5.38",
            "iso27001:2022/A.9.1",
            "iso27001:2013/A.5.1",
            "iec62443-3-3/SR 6.3",
            "csf:2.0/XX.MI-01",
            "sp800-53:r5/ZZ-2",
            "A.5.24",
            "cobit:5/APO13",
            "iso27001:2022/11.1",
            "iso27001:2022/9.4",
            "iso27001:2022/6.1.4",
            "iso27001:2022/10.2.1",
            "iso27004:2016/B.36",
            "iso27004:2016/9.1",
        ] {
            assert!(parse_reference(bad).is_err(), "{bad}");
        }
    }
}
