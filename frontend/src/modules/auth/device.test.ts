import { describe, expect, it } from 'vitest';
import { describeDevice } from './device';

describe('describeDevice', () => {
  it('names the browser, its major version and the system', () => {
    expect(describeDevice('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.130 Safari/537.36')).toEqual({ browser: 'Chrome 120', os: 'Windows' });
    expect(describeDevice('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91')).toEqual({ browser: 'Edge 120', os: 'Windows' });
    expect(describeDevice('Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15')).toEqual({ browser: 'Safari 17', os: 'macOS' });
    expect(describeDevice('Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.44(0x18002c2f) NetType/WIFI Language/zh_CN')).toEqual({ browser: 'WeChat 8', os: 'iOS' });
    expect(describeDevice('Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0')).toEqual({ browser: 'Firefox 121', os: 'Linux' });
    expect(describeDevice('Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36')).toEqual({ browser: 'Chrome 120', os: 'Android' });
    expect(describeDevice('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36')).toEqual({ browser: 'Chrome 131', os: 'Linux' });
  });

  it('names a program by its product token, and says nothing of an empty agent', () => {
    expect(describeDevice('curl/8.5.0')).toEqual({ browser: 'curl 8.5.0' });
    expect(describeDevice('python-requests/2.31.0')).toEqual({ browser: 'python-requests 2.31.0' });
    expect(describeDevice('  ')).toBeNull();
    expect(describeDevice(null)).toBeNull();
  });
});
