//! Root mutations of learning materials and their libraries. Each calls
//! exactly one `app` use case.

use async_graphql::{Context, ID, Object, Result, Upload};

use crate::context::{UseCases, app, meta, viewer};
use crate::errors::GqlResult;
use crate::materials::types::{
    CreateMaterialInput, FileVersion, Folder, Material, MaterialInput, ResumableUpload,
    StartUploadInput, folder_id, library_of,
};
use crate::relay::{parse_id, parse_id_of};

#[derive(Default)]
pub struct MaterialMutation;

fn file_id(id: &ID) -> Result<app::MaterialFileId> {
    parse_id_of(id, "fileId", "the material has no such file")
}

#[Object]
impl MaterialMutation {
    /// Adds a material to a school's library (its teachers and
    /// coordinators) or a space's (members who write there), as a draft.
    async fn create_material(
        &self,
        ctx: &Context<'_>,
        input: CreateMaterialInput,
    ) -> Result<Material> {
        let v = viewer(ctx)?;
        let library = library_of(input.school_id.as_ref(), input.space_id.as_ref())?;
        let folder = input.folder_id.as_ref().map(folder_id).transpose()?;
        let (details, visibility) = input.material.parse().gql()?;
        ctx.materials()
            .create_material(
                v,
                &library,
                folder.as_ref(),
                details,
                visibility,
                &meta(ctx),
            )
            .await
            .map(Material)
            .gql()
    }

    /// Changes what a material says and who may read it (its editors).
    async fn update_material(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: MaterialInput,
    ) -> Result<Material> {
        let v = viewer(ctx)?;
        let (details, visibility) = input.parse().gql()?;
        ctx.materials()
            .update_material(v, &parse_id(&id)?, details, visibility)
            .await
            .map(Material)
            .gql()
    }

    /// Publishes a material, or takes it back to draft with
    /// `published: false` (its editors, not students).
    async fn publish_material(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(default = true)] published: bool,
    ) -> Result<Material> {
        let v = viewer(ctx)?;
        let status = if published {
            app::MaterialStatus::Published
        } else {
            app::MaterialStatus::Draft
        };
        ctx.materials()
            .set_material_status(v, &parse_id(&id)?, status, &meta(ctx))
            .await
            .map(Material)
            .gql()
    }

    /// Moves a material to another folder of its library, or to the top.
    async fn move_material(
        &self,
        ctx: &Context<'_>,
        id: ID,
        folder_id: Option<ID>,
    ) -> Result<Material> {
        let v = viewer(ctx)?;
        let folder = folder_id
            .as_ref()
            .map(crate::materials::types::folder_id)
            .transpose()?;
        ctx.materials()
            .move_material(v, &parse_id(&id)?, folder.as_ref())
            .await
            .map(Material)
            .gql()
    }

    /// Deletes a material with all its files' versions (its editors).
    async fn delete_material(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let v = viewer(ctx)?;
        ctx.materials()
            .delete_material(v, &parse_id(&id)?, &meta(ctx))
            .await
            .gql()?;
        Ok(true)
    }

    /// Makes a folder in a school's or a space's library, under `parentId`
    /// or at the top; folders nest at most five deep.
    async fn create_folder(
        &self,
        ctx: &Context<'_>,
        school_id: Option<ID>,
        space_id: Option<ID>,
        parent_id: Option<ID>,
        name: String,
    ) -> Result<Folder> {
        let v = viewer(ctx)?;
        let library = library_of(school_id.as_ref(), space_id.as_ref())?;
        let parent = parent_id.as_ref().map(folder_id).transpose()?;
        let name = app::FolderName::parse(&name).gql()?;
        ctx.materials()
            .create_folder(v, &library, parent.as_ref(), name, &meta(ctx))
            .await
            .map(Folder)
            .gql()
    }

    async fn rename_folder(&self, ctx: &Context<'_>, id: ID, name: String) -> Result<Folder> {
        let v = viewer(ctx)?;
        let name = app::FolderName::parse(&name).gql()?;
        ctx.materials()
            .rename_folder(v, &parse_id::<app::FolderId>(&id)?, name, &meta(ctx))
            .await
            .map(Folder)
            .gql()
    }

    /// Moves a folder with everything in it under another folder of the
    /// same library, or to the top.
    async fn move_folder(
        &self,
        ctx: &Context<'_>,
        id: ID,
        parent_id: Option<ID>,
    ) -> Result<Folder> {
        let v = viewer(ctx)?;
        let parent = parent_id.as_ref().map(folder_id).transpose()?;
        ctx.materials()
            .move_folder(
                v,
                &parse_id::<app::FolderId>(&id)?,
                parent.as_ref(),
                &meta(ctx),
            )
            .await
            .map(Folder)
            .gql()
    }

    /// Deletes an empty folder.
    async fn delete_folder(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let v = viewer(ctx)?;
        ctx.materials()
            .delete_folder(v, &parse_id::<app::FolderId>(&id)?, &meta(ctx))
            .await
            .gql()?;
        Ok(true)
    }

    /// Begins a resumable upload of a new file of a material, or of a new
    /// version of one of its files (its editors). Up to the server's upload
    /// limit (2 GiB by default); the size counts against the school's quota
    /// (`QUOTA_EXCEEDED`) until the upload is finished or expires.
    async fn start_upload(
        &self,
        ctx: &Context<'_>,
        input: StartUploadInput,
    ) -> Result<ResumableUpload> {
        let v = viewer(ctx)?;
        if !(input.size.is_finite() && input.size >= 0.0 && input.size.fract() == 0.0) {
            return Err(app::Error::invalid("size", "give the size in whole bytes")).gql();
        }
        let req = app::UploadRequest {
            material: parse_id(&input.material_id)?,
            file: input.file_id.as_ref().map(file_id).transpose()?,
            name: input.name,
            size: input.size as u64,
            sha256: input.sha256,
            content_type: input.content_type,
        };
        ctx.materials()
            .start_upload(v, req)
            .await
            .map(ResumableUpload)
            .gql()
    }

    /// Completes an upload whose bytes have all arrived: their SHA-256 must
    /// be the declared one (or the upload is discarded). Returns the new
    /// version.
    async fn finish_upload(&self, ctx: &Context<'_>, id: ID) -> Result<FileVersion> {
        let v = viewer(ctx)?;
        app(ctx)
            .finish_upload(v, &parse_id(&id)?)
            .await
            .map(FileVersion)
            .gql()
    }

    /// Gives up an upload; what arrived is deleted.
    async fn cancel_upload(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let v = viewer(ctx)?;
        ctx.materials()
            .cancel_upload(v, &parse_id(&id)?)
            .await
            .gql()?;
        Ok(true)
    }

    /// Uploads a file of up to 25 MiB in this request (the GraphQL
    /// multipart request format), as a new file of a material or a new
    /// version of `fileId`. Larger files: `startUpload`.
    async fn upload_material_file(
        &self,
        ctx: &Context<'_>,
        material_id: ID,
        file_id: Option<ID>,
        file: Upload,
    ) -> Result<FileVersion> {
        let v = viewer(ctx)?;
        let material = parse_id(&material_id)?;
        let slot = file_id.as_ref().map(self::file_id).transpose()?;
        let value = file
            .value(ctx)
            .map_err(|_| app::Error::invalid("file", "the request carries no such file"))
            .gql()?;
        let name = value.filename.clone();
        let declared = value.content_type.clone();
        let limit = app::materials::model::MAX_SMALL_UPLOAD;
        let bytes = tokio::task::spawn_blocking(move || {
            use std::io::Read;
            let mut out = Vec::new();
            value
                .content
                .take(limit + 1)
                .read_to_end(&mut out)
                .map(|_| out)
        })
        .await
        .map_err(app::Error::internal)
        .gql()?
        .map_err(app::Error::internal)
        .gql()?;
        ctx.materials()
            .upload_small_file(
                v,
                &material,
                slot.as_ref(),
                &name,
                declared.as_deref(),
                bytes.into(),
            )
            .await
            .map(FileVersion)
            .gql()
    }
}
