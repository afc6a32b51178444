//! Review's consistency cases computed off the interface's thread, from
//! the project on disk, in three streaming passes (surfaces, counts,
//! places of the inconsistent ones): memory grows with the answer, not with
//! the corpus, and no key waits for it. Saves are written within
//! milliseconds, so the disk is what the user sees.

use nhan_model::consistency::{Consistency, Counter, places};
use nhan_model::document::Document;
use nhan_model::review::{Case, Place};
use nhan_model::search::QuerySet;
use nhan_store::project::Project;

/// Every article, one at a time (`None`: it could not be read).
fn each_doc(project: &Project, mut f: impl FnMut(usize, Option<&Document>)) {
    for (i, a) in project.articles.iter().enumerate() {
        match project.load(&a.file_name) {
            Ok(l) => f(i, Some(&l.doc)),
            Err(_) => f(i, None),
        }
    }
}

/// The same cases as `review::consistency` over every article: the
/// streaming count `nhan stats` uses, then one more pass for the places of
/// the inconsistent surfaces.
pub fn compute(project: &Project) -> Vec<Case> {
    let consistency = Consistency::default();
    let mut counter = Counter::default();
    each_doc(project, |_, d| match d {
        Some(d) => {
            let mut own: Vec<String> = d.spans().iter().map(|s| s.text.to_string()).collect();
            own.sort();
            own.dedup();
            counter.add(&consistency, &own, Some(consistency.look(d)));
        }
        None => counter.add(&consistency, &[], None),
    });
    if let Some(second) = counter.second_look() {
        each_doc(project, |i, d| {
            if let Some(d) = d.filter(|_| second.wanted(i)) {
                counter.add_second(&second.tally(i, d));
            }
        });
    }
    let surfaces: Vec<String> = counter.cases().into_iter().map(|c| c.surface).collect();
    let queries = QuerySet::new(&surfaces, false);
    let mut found: Vec<Vec<Place>> = vec![Vec::new(); surfaces.len()];
    each_doc(project, |i, d| {
        if let Some(d) = d {
            for (k, p) in places(d, i, &queries) {
                found[k].push(p);
            }
        }
    });
    surfaces
        .into_iter()
        .zip(found)
        .map(|(surface, places)| Case { surface, places })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_streamed_cases_are_the_in_memory_ones_with_their_places() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::create_dir_all(p.join("articles")).unwrap();
        std::fs::create_dir_all(p.join("annotations")).unwrap();
        let marked = [
            "[Hà Nội]{LOC} và [Bộ Ngoại giao]{ORG}, [Huế]{LOC}",
            "[Hà Nội]{ORG} rồi Hà Nội, [Ban cán sự đảng Bộ Ngoại giao]{ORG} ở Huế",
            "Hà Nội, Hà Nộix, [Lan]{PER} và [Lan]{PER}, [Huế]{LOC} [Huế]{MISC}",
            "không có gì",
        ];
        let mut docs = Vec::new();
        for (i, m) in marked.iter().enumerate() {
            let m = nhan_model::markup::parse(m).unwrap();
            let name = format!("a{i}.txt");
            std::fs::write(p.join("articles").join(&name), &m.text).unwrap();
            let mut d = Document::new(
                name.clone(),
                nhan_model::text::Text::new(m.text.clone()),
                nhan_model::sidecar::sha256_hex(m.text.as_bytes()),
            );
            for (s, e, l) in m.spans {
                let sp = d.make_span(s, e, &l, None);
                d.apply(&nhan_model::edit::Edit::Add(sp));
            }
            std::fs::write(
                p.join("annotations").join(format!("a{i}.json")),
                d.to_sidecar().to_json(),
            )
            .unwrap();
            docs.push(d);
        }
        let project = Project::open(p).unwrap();
        let refs: Vec<(usize, &Document)> = docs.iter().enumerate().collect();
        let want = nhan_model::review::consistency(&refs);
        assert_eq!(compute(&project), want);
        assert!(want.len() >= 2 && want.iter().all(|c| c.places.len() > 1));
    }
}
