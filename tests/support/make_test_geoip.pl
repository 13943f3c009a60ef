#!/usr/bin/perl
# Writes two small MaxMind-format databases for the geoip tests, shaped as GeoLite2-City and
# GeoLite2-ASN are (the same keys and types), with made-up networks and places:
#   tests/support/make_test_geoip.pl OUT_DIR [VARIANT]
# gives OUT_DIR/City.mmdb and OUT_DIR/ASN.mmdb. VARIANT 2 names other cities, for the reload
# test. Debian's libmaxmind-db-writer-perl writes them; no third-party database is committed.
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my ($out, $variant) = @ARGV;
die "usage: $0 OUT_DIR [VARIANT]\n" unless $out;
$variant //= 1;

my %types = (
  city => 'map', continent => 'map', country => 'map', location => 'map', postal => 'map',
  names => 'map', subdivisions => ['array', 'map'],
  en => 'utf8_string', de => 'utf8_string', iso_code => 'utf8_string', code => 'utf8_string',
  time_zone => 'utf8_string', geoname_id => 'uint32',
  latitude => 'double', longitude => 'double', accuracy_radius => 'uint16',
  autonomous_system_number => 'uint32', autonomous_system_organization => 'utf8_string',
);

sub tree {
  my ($type) = @_;
  return MaxMind::DB::Writer::Tree->new(
    ip_version => 6, record_size => 28, database_type => $type, languages => ['en', 'de'],
    description => { en => "logship test $type" }, map_key_type_callback => sub { $types{ $_[0] } },
    alias_ipv6_to_ipv4 => 1, remove_reserved_networks => 0,
  );
}

sub place {
  my (%p) = @_;
  my %r = (
    continent => { code => $p{continent_code}, names => { en => $p{continent} } },
    country => { iso_code => $p{country_code}, names => { en => $p{country}, de => $p{country_de} } },
    location => { latitude => $p{lat}, longitude => $p{lon}, time_zone => $p{tz}, accuracy_radius => 20 },
  );
  $r{city} = { geoname_id => $p{geoname_id}, names => { en => $p{city} } } if $p{city};
  $r{subdivisions} = [{ iso_code => $p{region_code}, names => { en => $p{region} } }] if $p{region};
  $r{postal} = { code => $p{postal} } if $p{postal};
  return \%r;
}

my $city = tree('GeoLite2-City');
$city->insert_network('85.181.35.0/24', place(
  continent => 'Europe', continent_code => 'EU', country => 'Germany', country_de => 'Deutschland', country_code => 'DE',
  region => 'Hamburg', region_code => 'HH', city => $variant == 2 ? 'Altona' : 'Hamburg', geoname_id => 2911298,
  postal => '20095', lat => 53.5511, lon => 9.9937, tz => 'Europe/Berlin'));
$city->insert_network('81.2.69.0/24', place(
  continent => 'Europe', continent_code => 'EU', country => 'United Kingdom', country_de => 'Vereinigtes Königreich',
  country_code => 'GB', region => 'England', region_code => 'ENG', city => $variant == 2 ? 'Leeds' : 'London',
  geoname_id => 2643743, lat => 51.5142, lon => -0.0931, tz => 'Europe/London'));
$city->insert_network('2a02:cf40::/32', place(
  continent => 'Europe', continent_code => 'EU', country => 'Norway', country_de => 'Norwegen', country_code => 'NO',
  lat => 59.95, lon => 10.75, tz => 'Europe/Oslo'));

my $asn = tree('GeoLite2-ASN');
$asn->insert_network('85.181.0.0/16', { autonomous_system_number => 3320, autonomous_system_organization => 'Deutsche Telekom AG' });
$asn->insert_network('81.2.64.0/20', { autonomous_system_number => 20712, autonomous_system_organization => 'Andrews & Arnold Ltd' });

for ([$city, 'City'], [$asn, 'ASN']) {
  my ($t, $name) = @$_;
  open my $fh, '>:raw', "$out/$name.mmdb.tmp" or die "$out/$name.mmdb.tmp: $!\n";
  $t->write_tree($fh);
  close $fh or die "$out/$name.mmdb.tmp: $!\n";
  rename "$out/$name.mmdb.tmp", "$out/$name.mmdb" or die "$out/$name.mmdb: $!\n";  # readers see whole files only
}
