import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { formatPhone, telHref } from './phone';
import { PhoneLink } from './PhoneLink';

describe('phone numbers as people write them', () => {
  it('groups a Chinese mobile 3-4-4', () => {
    expect(formatPhone('+8613812345678')).toBe('138 1234 5678');
    expect(formatPhone(' +8619912345678 ')).toBe('199 1234 5678');
  });

  it('writes a Chinese landline with its area code and a dash', () => {
    expect(formatPhone('+862162000999')).toBe('021-6200 0999');
    expect(formatPhone('+861088886666')).toBe('010-8888 6666');
    expect(formatPhone('+8657188886666')).toBe('0571-8888 6666');
    // a county number of seven digits
    expect(formatPhone('+867538123456')).toBe('0753-812 3456');
  });

  it('writes 400 and 800 service numbers 3-3-4', () => {
    expect(formatPhone('+864008208820')).toBe('400-820-8820');
    expect(formatPhone('+868008100000')).toBe('800-810-0000');
  });

  it('writes other countries with their calling code and the national number in groups', () => {
    expect(formatPhone('+16502530000')).toBe('+1 650-253-0000');
    expect(formatPhone('+85221234567')).toBe('+852 2123 4567');
    expect(formatPhone('+6591234567')).toBe('+65 9123 4567');
    expect(formatPhone('+442079460958')).toBe('+44 207 946 0958');
    expect(formatPhone('+819012345678')).toBe('+81 901 234 5678');
    expect(formatPhone('+886912345678')).toBe('+886 912 345 678');
    expect(formatPhone('+74951234567')).toBe('+7 495 123 4567');
  });

  it('shows text that is not an E.164 number as it is, without a link', () => {
    expect(formatPhone('+86 138****5678')).toBe('+86 138****5678');
    expect(formatPhone('021 6200 0999')).toBe('021 6200 0999');
    expect(telHref('+86 138****5678')).toBeUndefined();
    expect(telHref('+8613812345678')).toBe('tel:+8613812345678');
  });

  it('renders a tel: link with the written form', () => {
    render(<PhoneLink value="+862162000999" data-testid="p" />);
    const link = screen.getByTestId('p');
    expect(link).toHaveTextContent('021-6200 0999');
    expect(link).toHaveAttribute('href', 'tel:+862162000999');
  });

  it('renders nothing without a number', () => {
    const { container } = render(<PhoneLink value={null} />);
    expect(container).toBeEmptyDOMElement();
  });
});
