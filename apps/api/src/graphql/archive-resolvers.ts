import type { BatchView } from "@fxbt/domain";
import { acting, type GraphQLContext } from "./context";

/** archive.graphql's fields: thin, the work is BatchCommands.archiveBatch's and the reads' (BatchQueries). */
export const archiveResolvers = {
  Mutation: {
    archiveBatch: (_: unknown, { id }: { id: string }, context: GraphQLContext) => context.commands.archiveBatch(id, acting(context)),
  },
  Batch: {
    archived: (batch: BatchView) => batch.archivedAt !== null,
  },
};
