import { AutoComplete, Col, DatePicker, Form, Input, Radio, Row, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { REQUIREMENT_CATEGORIES, REQUIREMENT_SOURCES } from '../../api/types';
import { enumOptions, useOwnerOptions } from '../../ui/useOptions';
import { useReleases } from './useRequirements';

const LEVELS = [1, 2, 3, 4, 5];

function Level({ name, label, hint }: { name: 'importance' | 'urgency' | 'effort'; label: string; hint: string }) {
  return (
    <Form.Item name={name} label={label} extra={hint} rules={[{ required: true }]}>
      <Radio.Group optionType="button" options={LEVELS.map((n) => ({ value: n, label: String(n) }))} data-testid={`requirement-${name}`} />
    </Form.Item>
  );
}

/** The fields a requirement's create and edit forms share. */
export function RequirementFields() {
  const { t } = useTranslation();
  const owners = useOwnerOptions();
  const releases = useReleases();
  return (
    <Row gutter={16}>
      <Col xs={24}>
        <Form.Item name="title" label={t('requirement.titleField')} rules={[{ required: true, whitespace: true, message: t('validation.required') }, { max: 200 }]}>
          <Input data-testid="requirement-title-input" />
        </Form.Item>
      </Col>
      <Col xs={24}>
        <Form.Item name="description" label={t('requirement.description')} rules={[{ max: 10_000 }]}>
          <Input.TextArea rows={3} data-testid="requirement-description" />
        </Form.Item>
      </Col>
      <Col xs={24} sm={12}>
        <Form.Item name="category" label={t('requirement.category')}>
          <Select options={enumOptions(t, REQUIREMENT_CATEGORIES, 'requirementCategory')} data-testid="requirement-category" />
        </Form.Item>
      </Col>
      <Col xs={24} sm={12}>
        <Form.Item name="source_channel" label={t('requirement.source')}>
          <Select options={enumOptions(t, REQUIREMENT_SOURCES, 'requirementSource')} data-testid="requirement-source" />
        </Form.Item>
      </Col>
      <Col xs={24} md={8}><Level name="importance" label={t('requirement.importance')} hint={t('requirement.importanceHint')} /></Col>
      <Col xs={24} md={8}><Level name="urgency" label={t('requirement.urgency')} hint={t('requirement.urgencyHint')} /></Col>
      <Col xs={24} md={8}><Level name="effort" label={t('requirement.effort')} hint={t('requirement.effortHint')} /></Col>
      {owners.enabled && (
        <Col xs={24} sm={12}>
          <Form.Item name="owner_id" label={t('requirement.owner')}>
            <Select allowClear showSearch={{ optionFilterProp: 'label' }} options={owners.options} loading={owners.loading} data-testid="requirement-owner" />
          </Form.Item>
        </Col>
      )}
      <Col xs={24} sm={12}>
        <Form.Item name="department" label={t('requirement.department')} rules={[{ max: 100 }]}>
          <Input data-testid="requirement-department" />
        </Form.Item>
      </Col>
      <Col xs={24} sm={12}>
        <Form.Item name="target_date" label={t('requirement.targetDate')}>
          <DatePicker style={{ width: '100%' }} data-testid="requirement-target-date" />
        </Form.Item>
      </Col>
      <Col xs={24} sm={12}>
        <Form.Item name="release" label={t('requirement.release')} rules={[{ max: 100 }]}>
          <AutoComplete
            allowClear
            options={(releases.data ?? []).map((r) => ({ value: r.release }))}
            filterOption={(input, o) => (o?.value ?? '').toLowerCase().includes(input.toLowerCase())}
            data-testid="requirement-release"
          />
        </Form.Item>
      </Col>
      <Col xs={24}>
        <Form.Item name="tags" label={t('requirement.tags')}>
          <Select mode="tags" tokenSeparators={[',', '，']} open={false} suffixIcon={null} data-testid="requirement-tags" />
        </Form.Item>
      </Col>
    </Row>
  );
}
