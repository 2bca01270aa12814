//! The names the IR's parts are known by: a metric's id, a site or the pooled row.

use super::*;

/// A metric's id: its `metric:` key and file stem.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct MetricId(pub String);

impl MetricId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MetricId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A site's id: its key under `sites:` in yardstick.yaml, and its data folder's name.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct SiteId(pub String);

impl SiteId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for SiteId {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for SiteId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SiteId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for SiteId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for SiteId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for SiteId {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

impl From<&str> for SiteId {
    fn from(id: &str) -> SiteId {
        SiteId(id.to_string())
    }
}

/// A site of the project, or the pooled row of all sites (`all`, a reserved site id).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SiteRef {
    Site(SiteId),
    All,
}

impl SiteRef {
    /// The pooled row's id, reserved: no site may take it.
    pub const ALL: &'static str = "all";

    pub fn as_str(&self) -> &str {
        match self {
            SiteRef::Site(id) => id,
            SiteRef::All => SiteRef::ALL,
        }
    }
}

impl fmt::Display for SiteRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for SiteRef {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for SiteRef {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<&str> for MetricId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}
