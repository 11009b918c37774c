import { QueryClient } from '@tanstack/react-query';
import { isProblemError } from '../api/problem';

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        refetchOnWindowFocus: false,
        // client errors (4xx) do not improve by retrying
        retry: (count, error) => !(isProblemError(error) && error.status < 500) && count < 2,
      },
      mutations: { retry: false },
    },
  });
}
