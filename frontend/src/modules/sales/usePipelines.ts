import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, ifMatch, must, postOnce } from '../../api/client';
import type { CreateStage, Pipeline, Stage, UpdateStage } from '../../api/types';
import { opportunityKeys } from './useOpportunities';

export const pipelineKeys = {
  all: ['pipelines'] as const,
  list: ['pipelines', 'list'] as const,
  one: (id: string) => ['pipelines', 'one', id] as const,
};

/** Every pipeline with its stages (an organisation has a handful). */
export function usePipelines(enabled = true) {
  return useQuery({
    queryKey: pipelineKeys.list,
    enabled,
    queryFn: async () => must(await api.GET('/api/v1/pipelines', { params: { query: { limit: 200 } } })).data,
  });
}

/** The pipeline to show: the one asked for if it exists, else the default, else the first. */
export function pickPipeline(pipelines: readonly Pipeline[] | undefined, id: string | undefined): Pipeline | undefined {
  if (!pipelines || pipelines.length === 0) return undefined;
  return pipelines.find((p) => p.id === id) ?? pipelines.find((p) => p.is_default) ?? pipelines[0];
}

/** Stages in board order. */
export function orderedStages(p: Pipeline | undefined): Stage[] {
  return [...(p?.stages ?? [])].sort((a, b) => a.position - b.position);
}

function stored(qc: QueryClient, p: Pipeline) {
  qc.setQueryData(pipelineKeys.one(p.id), p);
  qc.setQueryData<Pipeline[]>(pipelineKeys.list, (list) => list?.map((x) => (x.id === p.id ? p : x)));
  void qc.invalidateQueries({ queryKey: pipelineKeys.all });
  // stage names, order and probabilities show on the board and the cards
  void qc.invalidateQueries({ queryKey: opportunityKeys.all });
}

/** The latest stored version of a pipeline (after a 412). */
export async function fetchPipeline(id: string): Promise<Pipeline> {
  return must(await api.GET('/api/v1/pipelines/{id}', { params: { path: { id } } }));
}

export function useRenamePipeline() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ pipeline, name }: { pipeline: Pipeline; name: string }) =>
      must(
        await api.PATCH('/api/v1/pipelines/{id}', {
          params: { path: { id: pipeline.id }, header: { 'If-Match': ifMatch(pipeline.version) } },
          body: { name },
        }),
      ),
    onSuccess: (p) => stored(qc, p),
  });
}

export function useCreatePipeline() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ name, stages }: { name: string; stages: CreateStage[] }) =>
      must(await postOnce('/api/v1/pipelines', { body: { name, stages } })),
    onSuccess: (p) => {
      qc.setQueryData(pipelineKeys.one(p.id), p);
      void qc.invalidateQueries({ queryKey: pipelineKeys.all });
    },
  });
}

export function useAddStage() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ pipeline, stage }: { pipeline: Pipeline; stage: CreateStage }) =>
      must(await postOnce('/api/v1/pipelines/{id}/stages', { params: { path: { id: pipeline.id } }, body: stage })),
    onSuccess: (p) => stored(qc, p),
  });
}

/** Renames, re-weights, retires or brings back a stage. */
export function useUpdateStage() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ pipeline, stage, patch }: { pipeline: Pipeline; stage: Stage; patch: UpdateStage }) =>
      must(
        await api.PATCH('/api/v1/pipelines/{id}/stages/{stage_id}', {
          params: { path: { id: pipeline.id, stage_id: stage.id } },
          body: patch,
        }),
      ),
    onSuccess: (p) => stored(qc, p),
  });
}

/** Deletes an unused stage; one in use answers 409 (retire it instead). */
export function useDeleteStage() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ pipeline, stage }: { pipeline: Pipeline; stage: Stage }) =>
      must(await api.DELETE('/api/v1/pipelines/{id}/stages/{stage_id}', { params: { path: { id: pipeline.id, stage_id: stage.id } } })),
    onSuccess: (p) => stored(qc, p),
  });
}

/** Puts the stages in a new order, guarded by the pipeline version the admin saw. */
export function useReorderStages() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ pipeline, stageIds }: { pipeline: Pipeline; stageIds: string[] }) =>
      must(
        await api.POST('/api/v1/pipelines/{id}/stages/reorder', {
          params: { path: { id: pipeline.id }, header: { 'If-Match': ifMatch(pipeline.version) } },
          body: { stage_ids: stageIds },
        }),
      ),
    onSuccess: (p) => stored(qc, p),
    onError: () => void qc.invalidateQueries({ queryKey: pipelineKeys.all }),
  });
}
