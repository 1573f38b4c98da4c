use strict;
use warnings;

my @data = split ' ', do { local $/; <STDIN> };
my $t = $data[0];
my @out;
for my $k (1 .. $t) {
    my $r = $data[$k];
    # TODO: compute the area of a circle of radius $r (pi is 4 * atan2(1, 1)).
    my $area = 0;
    push @out, sprintf('%.9f', $area);
}
print join("\n", @out), "\n";
