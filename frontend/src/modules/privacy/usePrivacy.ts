import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, must, postOnce } from '../../api/client';
import type {
  Consent, CreatePrivacyRequest, ErasureReport, GiveConsent, PrivacyRequest, PrivacyRequestStatus, PrivacySettings, SubjectType,
} from '../../api/types';
import { fileNameOf, saveBlob } from '../../ui/download';

/** A person privacy records are about: a customer or one of its contacts. */
export interface Subject {
  type: SubjectType;
  id: string;
}

export const privacyKeys = {
  consents: (s: Subject) => ['privacy', 'consents', s.type, s.id] as const,
  requests: ['privacy', 'requests'] as const,
  requestList: (f: RequestFilters) => ['privacy', 'requests', f] as const,
  settings: ['settings', 'privacy'] as const,
  candidates: ['privacy', 'retention'] as const,
};

/** A subject's consents, newest first, withdrawn ones included (one page of 200 is every one a person has). */
export function useConsents(subject: Subject) {
  return useQuery({
    queryKey: privacyKeys.consents(subject),
    queryFn: async (): Promise<Consent[]> => {
      const params = { path: { id: subject.id }, query: { limit: 200 } };
      const res = subject.type === 'customer'
        ? await api.GET('/api/v1/customers/{id}/consents', { params })
        : await api.GET('/api/v1/contacts/{id}/consents', { params });
      return must(res).data;
    },
  });
}

export function useGiveConsent(subject: Subject) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: GiveConsent): Promise<Consent> => {
      const params = { path: { id: subject.id } };
      return subject.type === 'customer'
        ? must(await postOnce('/api/v1/customers/{id}/consents', { params, body }))
        : must(await postOnce('/api/v1/contacts/{id}/consents', { params, body }));
    },
    onSuccess: () => void qc.invalidateQueries({ queryKey: privacyKeys.consents(subject) }),
  });
}

export function useWithdrawConsent(subject: Subject) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (id: string): Promise<Consent> => must(await api.POST('/api/v1/consents/{id}/withdraw', { params: { path: { id } } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: privacyKeys.consents(subject) }),
  });
}

/** Downloads everything stored about the person as one JSON file; answers the file's name. */
export function useExportSubject() {
  return useMutation({
    mutationFn: async (subject: Subject): Promise<string> => {
      const res = await api.GET('/api/v1/privacy/subjects/{subject_type}/{id}/export', {
        params: { path: { subject_type: subject.type, id: subject.id } },
        parseAs: 'blob',
      });
      const blob = must(res as { data?: Blob; response: Response });
      const filename = fileNameOf(res.response, `${subject.type}-${subject.id}.json`);
      saveBlob(blob, filename);
      return filename;
    },
  });
}

/** Erases the person, or with `dryRun` only reports what would change. */
export function useEraseSubject() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ subject, dryRun }: { subject: Subject; dryRun: boolean }): Promise<ErasureReport> =>
      must(
        await api.POST('/api/v1/privacy/subjects/{subject_type}/{id}/erase', {
          params: { path: { subject_type: subject.type, id: subject.id } },
          body: { dry_run: dryRun },
        }),
      ),
    onSuccess: (report) => {
      // everything shown about the person changed: records, lists, timeline, consents
      if (!report.dry_run) void qc.invalidateQueries();
    },
  });
}

export interface RequestFilters {
  status?: PrivacyRequestStatus;
  overdue?: boolean;
}

/** Subject requests, soonest due first, a page at a time. */
export function usePrivacyRequests(filters: RequestFilters) {
  return useInfiniteQuery({
    queryKey: privacyKeys.requestList(filters),
    initialPageParam: null as string | null,
    placeholderData: keepPreviousData,
    queryFn: async ({ pageParam }) =>
      must(
        await api.GET('/api/v1/privacy/requests', {
          params: {
            query: {
              ...(filters.status ? { status: filters.status } : {}),
              ...(filters.overdue ? { overdue: true } : {}),
              limit: 50,
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useCreatePrivacyRequest() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: CreatePrivacyRequest): Promise<PrivacyRequest> => must(await postOnce('/api/v1/privacy/requests', { body })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: privacyKeys.requests }),
  });
}

/** Completes a request, or refuses it with the reason told to the person. */
export function useAnswerPrivacyRequest() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ request, refusal }: { request: PrivacyRequest; refusal?: string }): Promise<PrivacyRequest> => {
      const params = { path: { id: request.id }, header: { 'If-Match': ifMatch(request.version) } };
      return refusal === undefined
        ? must(await api.POST('/api/v1/privacy/requests/{id}/complete', { params }))
        : must(await api.POST('/api/v1/privacy/requests/{id}/refuse', { params, body: { reason: refusal } }));
    },
    onSuccess: () => void qc.invalidateQueries({ queryKey: privacyKeys.requests }),
  });
}

/** The privacy settings with the ETag they were read with. */
export interface StoredPrivacySettings {
  value: PrivacySettings;
  etag: string | null;
}

export function usePrivacySettings() {
  return useQuery({
    queryKey: privacyKeys.settings,
    queryFn: async (): Promise<StoredPrivacySettings> => {
      const res = await api.GET('/api/v1/settings/privacy');
      return { value: must(res), etag: res.response.headers.get('ETag') };
    },
  });
}

export function useSavePrivacySettings() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ value, etag }: StoredPrivacySettings): Promise<StoredPrivacySettings> => {
      const res = await api.PUT('/api/v1/settings/privacy', { body: value, params: { header: etag ? { 'If-Match': etag } : {} } });
      return { value: must(res), etag: res.response.headers.get('ETag') };
    },
    onSuccess: (stored) => {
      qc.setQueryData(privacyKeys.settings, stored);
      void qc.invalidateQueries({ queryKey: privacyKeys.candidates });
    },
  });
}

/** Contacts proposed for erasure, oldest first. */
export function useRetentionCandidates() {
  return useInfiniteQuery({
    queryKey: privacyKeys.candidates,
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam }) =>
      must(await api.GET('/api/v1/privacy/retention/candidates', { params: { query: { limit: 50, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}
