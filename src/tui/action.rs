//! Everything a user can ask for with a key: the keymap maps keys to these.

use serde::{Deserialize, Serialize};

/// A user intent, independent of the key that triggered it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Select the next nomination.
    NextItem,
    /// Select the previous nomination.
    PrevItem,
    /// Select the first nomination.
    FirstItem,
    /// Select the last nomination.
    LastItem,
    /// Jump to the next nomination not yet fully scored.
    NextTodo,
    /// Start an incremental search.
    Search,
    /// Cycle the list filter: all / to do / flagged / recused.
    CycleFilter,
    /// Focus the next criterion.
    NextCriterion,
    /// Focus the previous criterion.
    PrevCriterion,
    /// Commit the typed score (and move on).
    Commit,
    /// Raise the focused score by one step.
    Increment,
    /// Lower the focused score by one step.
    Decrement,
    /// Clear the typed digits, or the committed score.
    ClearScore,
    /// Scroll the reading pane down.
    ScrollDown,
    /// Scroll the reading pane up.
    ScrollUp,
    /// Open the comment editor.
    Comment,
    /// Recuse from the nomination (or withdraw the recusal).
    Recuse,
    /// Flag the nomination for discussion.
    Flag,
    /// Cycle the confidence of this nomination's scores: low / normal / high.
    Confidence,
    /// Undo the last change.
    Undo,
    /// Write a signed score sheet of everything scored so far, for the chair.
    SubmitSheet,
    /// Show or hide contact details.
    Contacts,
    /// Switch between the list and the reading pane on narrow screens.
    ToggleList,
    /// Show the help overlay.
    Help,
    /// Close a popup or cancel typing.
    Cancel,
    /// Quit.
    Quit,
    /// Chair: switch the aggregation method.
    CycleMethod,
    /// Chair: move the cut down one place (a longer list).
    CutDown,
    /// Chair: move the cut up one place (a shorter list).
    CutUp,
    /// Chair: include the nomination against the ranking (asks for a reason).
    Include,
    /// Chair: exclude the nomination against the ranking (asks for a reason).
    Exclude,
    /// Chair: withdraw an include/exclude.
    ClearOverride,
    /// Chair: mark the ties at the cut resolved (asks how).
    ResolveTies,
}

impl Action {
    /// Every action, in the order help lists them.
    pub const ALL: [Action; 33] = [
        Action::NextItem,
        Action::PrevItem,
        Action::FirstItem,
        Action::LastItem,
        Action::NextTodo,
        Action::Search,
        Action::CycleFilter,
        Action::NextCriterion,
        Action::PrevCriterion,
        Action::Commit,
        Action::Increment,
        Action::Decrement,
        Action::ClearScore,
        Action::ScrollDown,
        Action::ScrollUp,
        Action::Comment,
        Action::Recuse,
        Action::Flag,
        Action::Confidence,
        Action::Undo,
        Action::SubmitSheet,
        Action::Contacts,
        Action::ToggleList,
        Action::Help,
        Action::Cancel,
        Action::Quit,
        Action::CycleMethod,
        Action::CutDown,
        Action::CutUp,
        Action::Include,
        Action::Exclude,
        Action::ClearOverride,
        Action::ResolveTies,
    ];

    /// The snake_case name used in keymap files.
    pub fn name(self) -> &'static str {
        match self {
            Action::NextItem => "next_item",
            Action::PrevItem => "prev_item",
            Action::FirstItem => "first_item",
            Action::LastItem => "last_item",
            Action::NextTodo => "next_todo",
            Action::Search => "search",
            Action::CycleFilter => "cycle_filter",
            Action::NextCriterion => "next_criterion",
            Action::PrevCriterion => "prev_criterion",
            Action::Commit => "commit",
            Action::Increment => "increment",
            Action::Decrement => "decrement",
            Action::ClearScore => "clear_score",
            Action::ScrollDown => "scroll_down",
            Action::ScrollUp => "scroll_up",
            Action::Comment => "comment",
            Action::Recuse => "recuse",
            Action::Flag => "flag",
            Action::Confidence => "confidence",
            Action::Undo => "undo",
            Action::SubmitSheet => "submit_sheet",
            Action::Contacts => "contacts",
            Action::ToggleList => "toggle_list",
            Action::Help => "help",
            Action::Cancel => "cancel",
            Action::Quit => "quit",
            Action::CycleMethod => "cycle_method",
            Action::CutDown => "cut_down",
            Action::CutUp => "cut_up",
            Action::Include => "include",
            Action::Exclude => "exclude",
            Action::ClearOverride => "clear_override",
            Action::ResolveTies => "resolve_ties",
        }
    }

    /// Whether the expert's scoring view uses this action.
    pub fn in_scoring(self) -> bool {
        !self.chair_only()
    }

    /// Whether the chair's view uses this action.
    pub fn in_chair(self) -> bool {
        self.chair_only()
            || matches!(
                self,
                Action::NextItem
                    | Action::PrevItem
                    | Action::FirstItem
                    | Action::LastItem
                    | Action::Search
                    | Action::CycleFilter
                    | Action::NextCriterion
                    | Action::PrevCriterion
                    | Action::Commit
                    | Action::ScrollDown
                    | Action::ScrollUp
                    | Action::Comment
                    | Action::Help
                    | Action::Cancel
                    | Action::Quit
            )
    }

    fn chair_only(self) -> bool {
        matches!(
            self,
            Action::CycleMethod
                | Action::CutDown
                | Action::CutUp
                | Action::Include
                | Action::Exclude
                | Action::ClearOverride
                | Action::ResolveTies
        )
    }

    /// Looks an action up by its keymap name.
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == name)
    }
}
