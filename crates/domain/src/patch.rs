//! Merge-patch commands (`…Patch`): a change to some fields of a record, where an absent field
//! (`None`) leaves the current value alone and a present one replaces it (`Some(None)` clears a
//! nullable field). [`merge_patch!`] writes a patch struct and its `apply` from one field list,
//! so a field cannot be added to the struct and forgotten in `apply`.

/// Defines `$patch` with one `Option<T>` per field `name: T` of `$fields`, and
/// `$patch::apply(self, &$fields) -> $fields`. Fields after `and carries` are part of the command
/// but not of `$fields` (an owner, lines to price, a stage move with its own rule): they are
/// declared as written and left to the caller, never applied.
macro_rules! merge_patch {
    (
        $(#[$meta:meta])*
        $vis:vis struct $patch:ident applies to $fields:ident {
            $( $(#[$field_meta:meta])* $field:ident : $ty:ty ),* $(,)?
        }
        $( and carries {
            $( $(#[$extra_meta:meta])* $extra:ident : $extra_ty:ty ),* $(,)?
        } )?
    ) => {
        $(#[$meta])*
        $vis struct $patch {
            $( $(#[$field_meta])* pub $field: Option<$ty>, )*
            $($( $(#[$extra_meta])* pub $extra: $extra_ty, )*)?
        }

        impl $patch {
            /// The fields after this patch: each field it names replaces the current value, the
            /// others stay as they are.
            pub fn apply(self, current: &$fields) -> $fields {
                let mut next = current.clone();
                $( if let Some(value) = self.$field { next.$field = value; } )*
                next
            }
        }
    };
}

pub(crate) use merge_patch;

#[cfg(test)]
mod tests {
    #[derive(Debug, Clone, PartialEq)]
    struct NoteFields {
        title: String,
        body: Option<String>,
        pinned: bool,
    }

    merge_patch! {
        /// A change to a note.
        #[derive(Debug, Clone, Default)]
        struct NotePatch applies to NoteFields {
            title: String,
            body: Option<String>,
            pinned: bool,
        }
        and carries {
            /// Not a field of the note: the caller handles it.
            moved_to: Option<u32>,
        }
    }

    fn note() -> NoteFields {
        NoteFields { title: "提纲".into(), body: Some("草稿".into()), pinned: true }
    }

    #[test]
    fn an_empty_patch_changes_nothing() {
        assert_eq!(NotePatch::default().apply(&note()), note());
    }

    #[test]
    fn a_patch_replaces_what_it_names_and_can_clear_a_nullable_field() {
        let patch = NotePatch { title: Some("定稿".into()), body: Some(None), ..Default::default() };
        assert_eq!(patch.apply(&note()), NoteFields { title: "定稿".into(), body: None, pinned: true });
    }

    #[test]
    fn carried_fields_are_not_applied() {
        let patch = NotePatch { moved_to: Some(7), pinned: Some(false), ..Default::default() };
        assert_eq!(patch.moved_to, Some(7));
        assert_eq!(patch.apply(&note()), NoteFields { pinned: false, ..note() });
    }
}
