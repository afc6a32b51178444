//! Interned strings for the few values that repeat across thousands of
//! spans (labels, annotator and reviewer names, review decisions): each
//! distinct value is stored once for the life of the process, and a span
//! holds a 4-byte index to it.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cell::RefCell;
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{LazyLock, RwLock};

/// A shared, never-freed string, held as a 4-byte index into a process-wide
/// table. Only for values drawn from a small set: the table grows with each
/// distinct value ever seen.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Sym(NonZeroU32);

#[derive(Default)]
struct Table {
    /// `strs[i - 1]` is the string of `Sym(i)`.
    strs: Vec<&'static str>,
    index: HashMap<&'static str, NonZeroU32>,
}

thread_local! {
    /// This thread's copy of the table's first entries (see `Sym::as_str`).
    static SEEN: RefCell<Vec<&'static str>> = const { RefCell::new(Vec::new()) };
    /// The values this thread has interned, so that reading a project's
    /// sidecars on two threads (millions of labels and names) does not
    /// take the table's lock for each.
    static KNOWN: RefCell<HashMap<&'static str, NonZeroU32, foldhash::fast::RandomState>> =
        RefCell::new(HashMap::default());
}

static TABLE: LazyLock<RwLock<Table>> = LazyLock::new(|| {
    let mut t = Table::default();
    t.intern("");
    RwLock::new(t)
});

impl Table {
    fn intern(&mut self, s: &str) -> NonZeroU32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let leaked: &'static str = Box::leak(s.to_owned().into_boxed_str());
        self.strs.push(leaked);
        let i = NonZeroU32::new(u32::try_from(self.strs.len()).expect("few distinct values"))
            .expect("one-based");
        self.index.insert(leaked, i);
        i
    }
}

impl Sym {
    pub fn new(s: &str) -> Sym {
        if let Some(i) = KNOWN.with(|k| k.borrow().get(s).copied()) {
            return Sym(i);
        }
        let known = TABLE
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .index
            .get(s)
            .copied();
        let sym = Sym(
            known.unwrap_or_else(|| TABLE.write().unwrap_or_else(|e| e.into_inner()).intern(s))
        );
        KNOWN.with(|k| k.borrow_mut().insert(sym.as_str(), sym.0));
        sym
    }

    pub fn as_str(&self) -> &'static str {
        let i = self.0.get() as usize - 1;
        // Each thread reads its own copy of the table, so that the interface
        // and the writer thread (which reads every label of a sidecar it
        // saves) do not take turns at one lock. Entries never change once
        // made: a copy is only ever short, never wrong.
        SEEN.with(|seen| {
            if let Some(&s) = seen.borrow().get(i) {
                return s;
            }
            let table = TABLE.read().unwrap_or_else(|e| e.into_inner());
            let mut seen = seen.borrow_mut();
            let known = seen.len();
            seen.extend_from_slice(&table.strs[known..]);
            seen[i]
        })
    }
}

impl Default for Sym {
    fn default() -> Sym {
        Sym::new("")
    }
}

/// By content, as `Borrow<str>` requires.
impl std::hash::Hash for Sym {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.as_str().hash(h)
    }
}

/// By content, like the strings themselves (spans sort by label).
impl Ord for Sym {
    fn cmp(&self, o: &Sym) -> std::cmp::Ordering {
        if self.0 == o.0 {
            return std::cmp::Ordering::Equal;
        }
        self.as_str().cmp(o.as_str())
    }
}

impl PartialOrd for Sym {
    fn partial_cmp(&self, o: &Sym) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}

impl std::ops::Deref for Sym {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Sym {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::borrow::Borrow<str> for Sym {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Debug for Sym {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Sym {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
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
        s.as_str().to_string()
    }
}

impl PartialEq<str> for Sym {
    fn eq(&self, o: &str) -> bool {
        self.as_str() == o
    }
}

impl PartialEq<&str> for Sym {
    fn eq(&self, o: &&str) -> bool {
        self.as_str() == *o
    }
}

impl PartialEq<String> for Sym {
    fn eq(&self, o: &String) -> bool {
        self.as_str() == o
    }
}

impl PartialEq<Sym> for str {
    fn eq(&self, o: &Sym) -> bool {
        self == o.as_str()
    }
}

impl PartialEq<Sym> for &str {
    fn eq(&self, o: &Sym) -> bool {
        *self == o.as_str()
    }
}

impl PartialEq<Sym> for String {
    fn eq(&self, o: &Sym) -> bool {
        self == o.as_str()
    }
}

impl Serialize for Sym {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
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
        assert!(Sym::new("LOC") < Sym::new("ORG") && Sym::new("ORG") > Sym::new("MISC"));
        assert_eq!(a, "PER");
        assert_ne!(Sym::new("ORG"), a);
        let parsed: Sym = serde_json::from_str("\"Nguyễn\"").unwrap();
        assert_eq!(serde_json::to_string(&parsed).unwrap(), "\"Nguyễn\"");
    }

    #[test]
    fn a_thread_reads_values_interned_after_it_first_looked() {
        let early = Sym::new("early-PER");
        assert_eq!(early.as_str(), "early-PER"); // this thread copies the table
        let made: Vec<Sym> =
            std::thread::spawn(|| (0..100).map(|i| Sym::new(&format!("late-{i}"))).collect())
                .join()
                .unwrap();
        for (i, s) in made.iter().enumerate() {
            assert_eq!(s.as_str(), format!("late-{i}"));
        }
        let reader =
            std::thread::spawn(move || made.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(reader.join().unwrap()[99], "late-99");
        assert_eq!(early.as_str(), "early-PER");
    }

    proptest::proptest! {
        /// `Sym` is kept beside the `ustr` crate only for speed (benches/perf.rs
        /// `intern/*`); it must mean what an interned string from the crate
        /// means: the same text back, equal exactly when the texts are, and
        /// ordered as the texts are.
        #[test]
        fn sym_means_what_the_ustr_crate_means(
            words in proptest::collection::vec("[A-Za-zđĐễ_ ]{0,6}", 1..40),
            on_another_thread in proptest::bool::ANY,
        ) {
            let intern = move |w: Vec<String>| w.iter().map(|w| Sym::new(w)).collect::<Vec<_>>();
            let syms = if on_another_thread {
                let w = words.clone();
                std::thread::spawn(move || intern(w)).join().unwrap()
            } else {
                intern(words.clone())
            };
            let ustrs: Vec<ustr::Ustr> = words.iter().map(|w| ustr::ustr(w)).collect();
            for (i, (a, ua)) in syms.iter().zip(&ustrs).enumerate() {
                proptest::prop_assert_eq!(a.as_str(), ua.as_str());
                for (b, ub) in syms.iter().zip(&ustrs).skip(i) {
                    proptest::prop_assert_eq!(a == b, ua == ub);
                    proptest::prop_assert_eq!(a.cmp(b), ua.as_str().cmp(ub.as_str()));
                }
            }
        }
    }
}
