//! The folders of a library: listing, paths, creating, renaming, moving
//! and deleting them, with names unique among siblings.

use super::{Folder, FolderName, Library, MAX_FOLDER_DEPTH, Materials};
use crate::accounts::model::{RequestMeta, Viewer};
use crate::kernel::error::{Error, Result};
use crate::kernel::id::FolderId;

impl Materials<'_> {
    /// The folders of a library under `parent` (`None`: the top), by name.
    pub async fn folders(
        &self,
        viewer: Option<&Viewer>,
        library: &Library,
        parent: Option<&FolderId>,
    ) -> Result<Vec<Folder>> {
        // Seeing the library (NotFound otherwise) is seeing its folders.
        self.library_rights(viewer, library).await?;
        self.check_folder(library, parent).await?;
        self.store.folders(library, parent).await
    }

    /// A folder the viewer may see.
    pub async fn folder(&self, viewer: Option<&Viewer>, id: &FolderId) -> Result<Folder> {
        let f = self.store.folder(id).await?.ok_or(Error::NotFound)?;
        self.library_rights(viewer, &f.library).await?;
        Ok(f)
    }

    /// The folders from the top of the library down to this one.
    pub async fn folder_path(
        &self,
        viewer: Option<&Viewer>,
        folder: &Folder,
    ) -> Result<Vec<Folder>> {
        self.library_rights(viewer, &folder.library).await?;
        let mut path = vec![folder.clone()];
        let mut next = folder.parent.clone();
        while let Some(id) = next {
            let f = self
                .store
                .folder(&id)
                .await?
                .ok_or_else(|| Error::internal("folder without parent"))?;
            next = f.parent.clone();
            path.push(f);
            if path.len() > MAX_FOLDER_DEPTH as usize {
                break;
            }
        }
        path.reverse();
        Ok(path)
    }

    /// Makes a folder in a library (its editors), under `parent` or at the
    /// top. `BAD_USER_INPUT` past the fifth level or for a name taken there.
    pub async fn create_folder(
        &self,
        viewer: &Viewer,
        library: &Library,
        parent: Option<&FolderId>,
        name: FolderName,
        meta: &RequestMeta,
    ) -> Result<Folder> {
        let rights = self.library_rights(Some(viewer), library).await?;
        if !rights.edits {
            return Err(self
                .accounts
                .deny(viewer, "create_folder", &library.key(), None, meta)
                .await);
        }
        let parent = self.check_folder(library, parent).await?;
        let depth = parent.as_ref().map_or(1, |p| p.depth + 1);
        if depth > MAX_FOLDER_DEPTH {
            return Err(Error::invalid(
                "parentId",
                format!("folders nest at most {MAX_FOLDER_DEPTH} levels deep"),
            ));
        }
        let folder = Folder {
            id: FolderId::generate(),
            library: library.clone(),
            parent: parent.map(|p| p.id),
            name,
            depth,
            created_by: viewer.user.id.clone(),
            created_at: self.clock.now(),
        };
        self.ensure_name_free(&folder).await?;
        self.store
            .save_folders(std::slice::from_ref(&folder))
            .await?;
        Ok(folder)
    }

    async fn ensure_name_free(&self, folder: &Folder) -> Result<()> {
        let siblings = self
            .store
            .folders(&folder.library, folder.parent.as_ref())
            .await?;
        let lower = folder.name.as_str().to_lowercase();
        if siblings
            .iter()
            .any(|s| s.id != folder.id && s.name.as_str().to_lowercase() == lower)
        {
            return Err(Error::invalid(
                "name",
                "a folder of this name is already there",
            ));
        }
        Ok(())
    }

    async fn editable_folder(
        &self,
        viewer: &Viewer,
        id: &FolderId,
        meta: &RequestMeta,
    ) -> Result<Folder> {
        let f = self.store.folder(id).await?.ok_or(Error::NotFound)?;
        let rights = self.library_rights(Some(viewer), &f.library).await?;
        if !rights.edits {
            return Err(self
                .accounts
                .deny(viewer, "change_folder", id.as_str(), None, meta)
                .await);
        }
        Ok(f)
    }

    pub async fn rename_folder(
        &self,
        viewer: &Viewer,
        id: &FolderId,
        name: FolderName,
        meta: &RequestMeta,
    ) -> Result<Folder> {
        let mut f = self.editable_folder(viewer, id, meta).await?;
        f.name = name;
        self.ensure_name_free(&f).await?;
        self.store.save_folders(std::slice::from_ref(&f)).await?;
        Ok(f)
    }

    /// Moves a folder, with everything in it, under another folder of the
    /// same library (`None`: the top). Refused into itself or its own
    /// subfolders, or when the deepest subfolder would pass the fifth level.
    pub async fn move_folder(
        &self,
        viewer: &Viewer,
        id: &FolderId,
        parent: Option<&FolderId>,
        meta: &RequestMeta,
    ) -> Result<Folder> {
        let f = self.editable_folder(viewer, id, meta).await?;
        let new_parent = self.check_folder(&f.library, parent).await?;
        // Every folder below the moved one, to check and re-level them.
        let mut subtree = vec![f.clone()];
        let mut i = 0;
        while i < subtree.len() {
            let children = self.store.folders(&f.library, Some(&subtree[i].id)).await?;
            subtree.extend(children);
            i += 1;
        }
        if let Some(p) = &new_parent
            && subtree.iter().any(|s| s.id == p.id)
        {
            return Err(Error::invalid(
                "parentId",
                "a folder cannot go into itself or its own subfolders",
            ));
        }
        let base = new_parent.as_ref().map_or(1, |p| p.depth + 1);
        let shift = base as i64 - f.depth as i64;
        let deepest = subtree.iter().map(|s| s.depth).max().unwrap_or(f.depth) as i64 + shift;
        if deepest > MAX_FOLDER_DEPTH as i64 {
            return Err(Error::invalid(
                "parentId",
                format!("folders nest at most {MAX_FOLDER_DEPTH} levels deep"),
            ));
        }
        for s in &mut subtree {
            s.depth = (s.depth as i64 + shift) as u32;
        }
        subtree[0].parent = new_parent.map(|p| p.id);
        self.ensure_name_free(&subtree[0]).await?;
        self.store.save_folders(&subtree).await?;
        Ok(subtree.swap_remove(0))
    }

    /// Deletes an empty folder (no subfolders, no materials).
    pub async fn delete_folder(
        &self,
        viewer: &Viewer,
        id: &FolderId,
        meta: &RequestMeta,
    ) -> Result<()> {
        let f = self.editable_folder(viewer, id, meta).await?;
        if !self
            .store
            .folders(&f.library, Some(&f.id))
            .await?
            .is_empty()
            || self.store.folder_has_materials(&f.id).await?
        {
            return Err(Error::Conflict("the folder is not empty".into()));
        }
        self.store.delete_folder(&f.id).await
    }
}
