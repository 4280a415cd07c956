import type { SaveBatchTemplateInput, StageFromTemplateInput, TemplateListArgs } from "../services/templates";
import { acting, type GraphQLContext } from "./context";

/** Thin: each hands its arguments, and the caller's partner, to the TemplateService (authorization wraps them: schema.ts). */
export const templateResolvers = {
  Query: {
    batchTemplates: (_: unknown, args: TemplateListArgs, { templates, caller }: GraphQLContext) =>
      templates.list(caller?.partner ?? null, args),
    batchTemplate: (_: unknown, { id }: { id: string }, { templates, caller }: GraphQLContext) =>
      templates.byId(caller?.partner ?? null, id),
  },
  Mutation: {
    saveBatchTemplate: (_: unknown, { input }: { input: SaveBatchTemplateInput }, context: GraphQLContext) =>
      context.templates.save(input, acting(context)),
    renameBatchTemplate: (_: unknown, { id, name }: { id: string; name: string }, context: GraphQLContext) =>
      context.templates.rename(id, name, acting(context)),
    deleteBatchTemplate: (_: unknown, { id }: { id: string }, context: GraphQLContext) => context.templates.delete(id, acting(context)),
    stageBatchFromTemplate: (_: unknown, { input }: { input: StageFromTemplateInput }, context: GraphQLContext) =>
      context.templates.stage(input, acting(context)),
  },
};
