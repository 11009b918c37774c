import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, must } from '../../api/client';
import type { ServiceSettings } from '../../api/types';

export const serviceSettingsKey = ['settings', 'service'] as const;

/** The settings with the ETag they were read with: PUT sends it back as `If-Match`. */
export interface StoredServiceSettings {
  value: ServiceSettings;
  etag: string | null;
}

export function useServiceSettings() {
  return useQuery({
    queryKey: serviceSettingsKey,
    queryFn: async (): Promise<StoredServiceSettings> => {
      const res = await api.GET('/api/v1/settings/service');
      return { value: must(res), etag: res.response.headers.get('ETag') };
    },
  });
}

/** Saves the service settings (administrators); a stale ETag answers 412. */
export function useSaveServiceSettings() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ value, etag }: StoredServiceSettings): Promise<StoredServiceSettings> => {
      const res = await api.PUT('/api/v1/settings/service', { body: value, params: { header: etag ? { 'If-Match': etag } : {} } });
      return { value: must(res), etag: res.response.headers.get('ETag') };
    },
    onSuccess: (stored) => qc.setQueryData(serviceSettingsKey, stored),
  });
}
