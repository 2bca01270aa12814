//! W1011 `raw_leadership_count`.
//!
//! **What it does.** Flags a metric tagged `leadership` whose value is a raw count or sum
//! (added up, scaled by a constant at most) judged with no `exposure:`: no population and
//! no flow it is read against.
//!
//! **Why it matters.** A plant with twice the systems, people or production hours looks
//! twice as bad; a board compares sites on size, not on security.
//!
//! **Example.** `value: count()` over uncontrolled documents, tagged `leadership`: make it
//! the share of documents in scope (`share(...)`), or judge it per production hours
//! (`exposure: production_hours`).

use super::*;

/// W1011: a raw leadership count that grows with the size of the site.
pub(super) fn raw_leadership_count(m: &Metric) -> Option<Diagnostic> {
    let MetricBody::Base(b) = &m.body else { return None };
    if !m.tags.iter().any(|t| t == LEADERSHIP) || m.exposure.is_some() || !gameable_count::raw_count(&b.value) {
        return None;
    }
    let d = Diagnostic::warning(
        codes::W1011,
        format!(
            "`{}` shows the leadership a raw count (`{}`): a larger site looks worse for its size alone",
            m.id, b.value
        ),
    )
    .label("no population, no exposure")
    .help(format!(
        "make it a share of its population (`share(...)`, unit `%`), or judge it per a flow of the set (`exposure: production_hours`); {}",
        exempt_help(codes::W1011)
    ));
    Some(at(d, m.at))
}
