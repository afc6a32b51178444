//! Choosing a label (or a relation type) by something other than its
//! digit: `;` then the label's second key, or `t` and the picker, which
//! filters the names as they are typed.

use super::action::Action;
use super::editing;
use super::keys::{Code, Key};
use super::msg::Effect;
use super::state::{Overlay, State};

/// The key after `;`: the tag action of the label it names, or an error
/// listing the keys there are (the overlay is closed either way).
pub fn label_key(state: &mut State, key: Key) -> Option<Action> {
    let schema = &state.project.schema;
    let label = match key.code {
        Code::Esc => return None,
        Code::Char(c) if !key.mods.ctrl && !key.mods.alt => schema.index_of_key(c),
        _ => None,
    };
    match label.and_then(|i| u8::try_from(i + 1).ok()) {
        Some(n) => Some(Action::Tag(n)),
        None => {
            state.error(format!(
                "no label has the key {key} (after `;`): {}",
                label_keys_line(schema)
            ));
            None
        }
    }
}

/// The labels reachable after `;`, as `l LAW · a LANGUAGE`.
fn label_keys_line(schema: &nhan_model::schema::Schema) -> String {
    schema
        .second_keys()
        .iter()
        .zip(&schema.labels)
        .filter_map(|(k, l)| k.map(|k| format!("{k} {}", l.name)))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// A key in the picker: typing filters, the arrows or Tab choose, Enter
/// tags (or types the relation being made), Esc closes.
pub fn picker_key(
    state: &mut State,
    key: Key,
    mut filter: String,
    mut selected: usize,
    relation: bool,
) -> Vec<Effect> {
    let matches = state.picker_matches(&filter, relation);
    match key.code {
        Code::Esc => return vec![],
        Code::Enter => {
            return match matches.get(selected) {
                Some(&i) if relation => super::relating::pick(state, i),
                Some(&i) => editing::tag(state, i),
                None => {
                    let what = if relation { "relation type" } else { "label" };
                    state.error(format!("no {what} matches “{filter}”"));
                    vec![]
                }
            };
        }
        Code::Down | Code::Tab => selected = (selected + 1).min(matches.len().saturating_sub(1)),
        Code::Up | Code::BackTab => selected = selected.saturating_sub(1),
        Code::Backspace => {
            filter.pop();
            selected = 0;
        }
        _ => {
            if let Some(c) = key.typed() {
                filter.push(c);
                selected = 0;
            }
        }
    }
    state.overlay = Overlay::LabelPicker {
        filter,
        selected,
        relation,
    };
    vec![]
}
