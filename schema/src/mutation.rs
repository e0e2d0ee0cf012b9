//! The mutation root: every domain's mutations, merged.

/// Every root mutation: the network's, the spaces', the materials' and the events'.
#[derive(async_graphql::MergedObject, Default)]
pub struct Mutation(
    crate::network::roots::NetworkMutation,
    crate::spaces::roots::SpaceMutation,
    crate::spaces::reports::ReportMutation,
    crate::materials::roots::MaterialMutation,
    crate::events::roots::EventMutation,
);
