//! Interned strings for the few values that repeat across thousands of
//! spans (labels, annotator and reviewer names, review decisions): each
//! distinct value is stored once for the life of the process, and a span
//! holds a 16-byte reference to it.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::HashSet;
use std::sync::{LazyLock, Mutex};

/// A shared, never-freed string. Only for values drawn from a small set:
/// the set grows with each distinct value ever seen.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sym(&'static str);

static TABLE: LazyLock<Mutex<HashSet<&'static str>>> = LazyLock::new(Default::default);

impl Sym {
    pub fn new(s: &str) -> Sym {
        let mut t = TABLE.lock().unwrap_or_else(|e| e.into_inner());
        match t.get(s) {
            Some(&found) => Sym(found),
            None => {
                let leaked: &'static str = Box::leak(s.to_owned().into_boxed_str());
                t.insert(leaked);
                Sym(leaked)
            }
        }
    }

    pub fn as_str(&self) -> &'static str {
        self.0
    }
}

impl std::ops::Deref for Sym {
    type Target = str;
    fn deref(&self) -> &str {
        self.0
    }
}

impl AsRef<str> for Sym {
    fn as_ref(&self) -> &str {
        self.0
    }
}

impl std::borrow::Borrow<str> for Sym {
    fn borrow(&self) -> &str {
        self.0
    }
}

impl std::fmt::Debug for Sym {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.0, f)
    }
}

impl std::fmt::Display for Sym {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl From<&str> for Sym {
    fn from(s: &str) -> Sym {
        Sym::new(s)
    }
}

impl From<&String> for Sym {
    fn from(s: &String) -> Sym {
        Sym::new(s)
    }
}

impl From<String> for Sym {
    fn from(s: String) -> Sym {
        Sym::new(&s)
    }
}

impl From<Sym> for String {
    fn from(s: Sym) -> String {
        s.0.to_string()
    }
}

impl PartialEq<str> for Sym {
    fn eq(&self, o: &str) -> bool {
        self.0 == o
    }
}

impl PartialEq<&str> for Sym {
    fn eq(&self, o: &&str) -> bool {
        self.0 == *o
    }
}

impl PartialEq<String> for Sym {
    fn eq(&self, o: &String) -> bool {
        self.0 == o
    }
}

impl PartialEq<Sym> for str {
    fn eq(&self, o: &Sym) -> bool {
        self == o.0
    }
}

impl PartialEq<Sym> for &str {
    fn eq(&self, o: &Sym) -> bool {
        *self == o.0
    }
}

impl PartialEq<Sym> for String {
    fn eq(&self, o: &Sym) -> bool {
        self == o.0
    }
}

impl Serialize for Sym {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for Sym {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Sym, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Sym;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E>(self, v: &str) -> Result<Sym, E> {
                Ok(Sym::new(v))
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_strings_share_one_copy() {
        let a = Sym::new("PER");
        let b = Sym::from(String::from("PER"));
        assert_eq!(a, b);
        assert!(std::ptr::eq(a.as_str(), b.as_str()));
        assert_eq!(a, "PER");
        assert_ne!(Sym::new("ORG"), a);
        let parsed: Sym = serde_json::from_str("\"Nguyễn\"").unwrap();
        assert_eq!(serde_json::to_string(&parsed).unwrap(), "\"Nguyễn\"");
    }
}
